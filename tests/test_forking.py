"""A forked pool that fails ends, whatever SIGTERM handler the parent had (coverage's in this suite
hung the suite at a failing build's ``Pool.terminate``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import signal, time
    from govdata.forking import forked_pool

    def stuck(signum, frame):  # a handler that never returns, as a deadlocked one would
        while True:
            time.sleep(1)

    signal.signal(signal.SIGTERM, stuck)

    def work(i):
        if i == 0:
            raise ValueError("a failing dataset")
        time.sleep(30)

    try:
        with forked_pool(2) as pool:
            pool.apply_async(work, (1,))  # a worker busy when the pool is terminated
            pool.apply_async(work, (0,)).get()
    except ValueError:
        print("ended")
    """
)


def test_a_failing_pool_ends_under_a_sigterm_handler_that_never_returns():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=25)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ended"


def test_a_finished_pool_returns_its_results():
    from govdata.forking import forked_pool

    with forked_pool(2) as pool:
        assert pool.map(abs, [-1, -2, 3]) == [1, 2, 3]
