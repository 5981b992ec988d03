from govdata.entry import main

main()
