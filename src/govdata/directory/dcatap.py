"""DCAT-AP 3.0 of the catalogue (one graph; JSON-LD and Turtle), built with rdflib.

Free text is language-tagged (zh, en); every download is a dcat:Distribution with its
licence, media type, byte size and SPDX sha256 checksum; the JSON API is a
dcat:DataService; frequency, access rights, themes and languages use the EU vocabularies.
Referenced vocabulary concepts are typed in the graph, as the DCAT-AP range shapes expect.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from govdata.catalog.model import Catalog
from govdata.directory.record import ACCESS_EU, FREQUENCY_EU, Record

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
EU_FILE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
IANA = Namespace("https://www.iana.org/assignments/media-types/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FORMAT_VERSION = "1.0"
DCAT_AP = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "spdx": str(SPDX),
    "skos": str(SKOS),
    "adms": str(ADMS),
    "xsd": str(XSD),
    "rdfs": str(RDFS),
    "eli": "http://data.europa.eu/eli/ontology#",
}


def serialize(g: Graph) -> tuple[str, str]:
    """(JSON-LD, Turtle) of a graph."""
    return g.serialize(format="json-ld", context=CONTEXT, auto_compact=True), g.serialize(format="turtle")


def _typed(g: Graph, node: URIRef, cls: URIRef, label: str | None = None) -> URIRef:
    g.add((node, RDF.type, cls))
    if cls == SKOS.Concept or label:
        g.add((node, SKOS.prefLabel, Literal(label or str(node).rstrip("/").rsplit("/", 1)[-1], lang="en")))
    return node


def _text(g: Graph, node, prop, zh: str | None, en: str | None) -> None:
    if zh:
        g.add((node, prop, Literal(zh, lang="zh")))
    if en:
        g.add((node, prop, Literal(en, lang="en")))


def _agent(g: Graph, base: str, pub: dict[str, Any]) -> URIRef:
    node = URIRef(f"{base}/organizations/{pub['id']}")
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, RDF.type, FOAF.Organization))
    _text(g, node, FOAF.name, pub["name"], pub.get("name_en"))
    g.add((node, DCTERMS.identifier, Literal(pub["code"])))
    return node


class Triples(list):
    """Triples gathered in order (``add`` as on a Graph), without rdflib's indexes: a dataset's part
    of the graph is written out once (:func:`ntriples`, :func:`nodes`), never queried, and Graph.add
    cost ~20 ms a dataset."""

    def add(self, triple: tuple[Any, Any, Any]) -> None:
        self.append(triple)


def build_graph(catalog: Catalog, records: list[Record]) -> Graph:
    """The whole catalogue's graph: :func:`catalogue_graph` and every :func:`dataset_graph`."""
    g = _graph()
    g += catalogue_graph(catalog, records)
    for rec in records:
        g += dataset_graph(catalog, rec)
    return g


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("skos", SKOS),
        ("adms", ADMS),
        ("eli", ELI),
    ):
        g.bind(prefix, ns)
    return g


def dataset_graph(catalog: Catalog, rec: Record) -> Triples:
    """One dataset's part of the catalogue graph (a piece of the directory: directory/fragments.py)."""
    base = catalog.site["base_url"].rstrip("/")
    g = Triples()
    ds = URIRef(rec.landing_page)
    g.add((URIRef(f"{base}/catalog"), DCAT.dataset, ds))
    add_dataset(g, base, rec, ds, URIRef(f"{base}/api"))  # type: ignore[arg-type]
    return Triples(dict.fromkeys(g))


def ntriples(triples: Any) -> str:
    """N-Triples of a Graph or of :class:`Triples`."""
    from rdflib.plugins.serializers.nt import _nt_row

    return "".join(_nt_row(t) for t in triples)


def catalogue_graph(catalog: Catalog, records: list[Record]) -> Triples:
    """The catalogue without its datasets: the catalogue node, publisher, themes, the JSON API and
    the policy documents the records link to."""
    base = catalog.site["base_url"].rstrip("/")
    g: Any = Triples()
    cat = URIRef(f"{base}/catalog")
    g.add((cat, RDF.type, DCAT.Catalog))
    _text(g, cat, DCTERMS.title, catalog.site["title"], catalog.site.get("title_en"))
    _text(
        g,
        cat,
        DCTERMS.description,
        " ".join(catalog.site["description"].split()),
        " ".join(catalog.site.get("description_en", "").split()) or None,
    )
    root_pub = next(p for p in catalog.publishers.values() if p.parent is None)
    g.add(
        (
            cat,
            DCTERMS.publisher,
            _agent(
                g, base, {"id": root_pub.id, "name": root_pub.name, "name_en": root_pub.name_en, "code": root_pub.code}
            ),
        )
    )
    g.add((cat, FOAF.homepage, _typed(g, URIRef(f"{base}/"), FOAF.Document)))
    g.add((cat, DCTERMS.conformsTo, _typed(g, URIRef(DCAT_AP), DCTERMS.Standard)))
    g.add((cat, DCTERMS.modified, Literal(max((r.modified for r in records), default="2024-01-01"), datatype=XSD.date)))
    g.add((cat, DCTERMS.language, _typed(g, EU_LANG.ZHO, DCTERMS.LinguisticSystem)))
    g.add((cat, DCTERMS.language, _typed(g, EU_LANG.ENG, DCTERMS.LinguisticSystem)))
    taxonomy = URIRef(f"{base}/themes")
    g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
    _text(g, taxonomy, DCTERMS.title, "主题分类", "Theme taxonomy")
    g.add((cat, DCAT.themeTaxonomy, taxonomy))
    for theme in catalog.themes.values():
        node = URIRef(f"{base}/themes/{theme.id}")
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, taxonomy))
        _text(g, node, SKOS.prefLabel, theme.title, theme.title_en)
    service = URIRef(f"{base}/api")
    g.add((service, RDF.type, DCAT.DataService))
    _text(g, service, DCTERMS.title, "数据查询 JSON API（Datasette）", "JSON query API (Datasette)")
    g.add((service, DCAT.endpointURL, _typed(g, URIRef(f"{base}/"), RDFS.Resource)))
    g.add((service, DCAT.endpointDescription, _typed(g, URIRef(f"{base}/openapi.json"), RDFS.Resource)))
    g.add((cat, DCAT.service, service))
    add_policy_documents(g, catalog, {r.id for r in records})
    return Triples(dict.fromkeys(g))


_PREFIXES = sorted(((ns, prefix) for prefix, ns in CONTEXT.items()), key=lambda item: -len(item[0]))


def _curie(iri: str) -> str:
    """``dct:title`` for a term of a namespace of :data:`CONTEXT`, else the IRI."""
    for ns, prefix in _PREFIXES:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns) :].startswith("//"):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _object(o: Any) -> Any:
    if isinstance(o, BNode):
        return {"@id": f"_:{o}"}
    if isinstance(o, URIRef):
        return {"@id": str(o)}
    if o.language:
        return {"@value": str(o), "@language": o.language}
    if o.datatype is not None and o.datatype != XSD.string:
        return {"@value": str(o), "@type": _curie(str(o.datatype))}
    return str(o)


def nodes(g: Graph | Triples) -> str:
    """The graph's node objects as JSON-LD (flattened: one object per subject, properties as
    CURIEs of :data:`CONTEXT`), joined by commas: pieces of one ``@graph`` array (:func:`jsonld`).
    Written here, not by rdflib's JSON-LD serialiser, which costs ~40 ms a dataset (minutes for a
    catalogue of 10,000); tests/test_directory_formats.py holds the two graphs isomorphic."""
    by_subject: dict[Any, dict[str, list]] = {}
    for s, p, o in g:
        props = by_subject.setdefault(s, {})
        if p == RDF.type:
            props.setdefault("@type", []).append(_curie(str(o)))
        else:
            props.setdefault(_curie(str(p)), []).append(_object(o))
    out = []
    for s in sorted(by_subject, key=lambda node: (isinstance(node, BNode), str(node))):
        node: dict[str, Any] = {"@id": f"_:{s}" if isinstance(s, BNode) else str(s)}
        for key in sorted(by_subject[s]):
            values = sorted(by_subject[s][key], key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
            node[key] = values[0] if len(values) == 1 else values
        out.append(json.dumps(node, ensure_ascii=False, separators=(",", ":")))
    return ",".join(out)


def jsonld(pieces: list[str]) -> str:
    """One JSON-LD document of node pieces (:func:`nodes`); a node may be described in several
    pieces (a publisher, a licence): JSON-LD merges node objects with the same ``@id``."""
    context = json.dumps(CONTEXT, ensure_ascii=False, separators=(",", ":"))
    return '{"@context":' + context + ',"@graph":[' + ",".join(p for p in pieces if p) + "]}"


def turtle(ntriples: str) -> str:
    """Pretty Turtle of N-Triples (rdflib's pretty Turtle grows faster than the graph: for small
    catalogues only, see directory/formats.py)."""
    g = _graph()
    g.parse(data=ntriples, format="nt")
    return g.serialize(format="turtle")


def add_policy_documents(g: Graph, catalog: Catalog, published: set[str]) -> None:
    """The policy index's documents (:mod:`govdata.oversight.policylinks`) linked both ways: a
    dataset ``dct:references`` and ``dct:relation`` the documents it implements or evidences, which
    are ``dct:isReferencedBy`` and ``dct:relation`` it; an interpretation ``dct:references`` its
    policy, which is ``dct:isReferencedBy`` it. Validity: ELI ``in_force``."""
    from govdata.oversight.policylinks import ELI_IN_FORCE, documents

    base = catalog.site["base_url"].rstrip("/")
    docs = documents(catalog)
    linked = {k for k, doc in docs.items() if any(link["dataset"] in published for link in doc["datasets"])}
    linked |= {i for k in linked for i in docs[k]["interpretations"]}
    linked |= {docs[k]["interprets"] for k in linked if docs[k]["interprets"]}
    for key in sorted(linked):
        doc = docs[key]
        node = _typed(g, URIRef(doc["url"]), FOAF.Document)
        if doc["kind"] == "policy":
            g.add((node, RDF.type, ELI.LegalResource))
        _text(g, node, DCTERMS.title, doc["title"], None)
        if doc["doc_number"]:
            g.add((node, DCTERMS.identifier, Literal(doc["doc_number"])))
        if doc["issue_date"]:
            g.add((node, DCTERMS.issued, Literal(doc["issue_date"], datatype=XSD.date)))
        if doc["validity"]:
            g.add((node, ELI.in_force, URIRef(str(ELI) + ELI_IN_FORCE[doc["validity"]])))
            g.add((node, DCTERMS.description, Literal(f"效力状态：{doc['validity']}", lang="zh")))
        if doc["interprets"] in linked:
            g.add((node, DCTERMS.references, URIRef(docs[doc["interprets"]]["url"])))
        for other in doc["interpretations"]:
            if other in linked:
                g.add((node, DCTERMS.isReferencedBy, URIRef(docs[other]["url"])))
        for link in doc["datasets"]:
            if link["dataset"] in published:
                ds = URIRef(f"{base}/datasets/{link['dataset']}")
                g.add((ds, DCTERMS.references, node))
                g.add((ds, DCTERMS.relation, node))
                g.add((node, DCTERMS.isReferencedBy, ds))
                g.add((node, DCTERMS.relation, ds))


def add_dataset(g: Graph, base: str, rec: Record, ds: URIRef, service: URIRef) -> None:
    g.add((ds, RDF.type, DCAT.Dataset))
    _text(g, ds, DCTERMS.title, rec.title, rec.title_en)
    _text(g, ds, DCTERMS.description, rec.description, rec.description_en)
    g.add((ds, DCTERMS.identifier, Literal(rec.id)))
    g.add((ds, DCTERMS.publisher, _agent(g, base, rec.publisher[-1])))
    contact = URIRef(f"{base}/datasets/{rec.id}#contact")
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(rec.contact["name"], lang="zh")))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{rec.contact['email']}")))
    g.add((ds, DCAT.contactPoint, contact))
    for kw in rec.keywords:
        g.add((ds, DCAT.keyword, Literal(kw, lang="zh")))
    for theme in rec.themes:
        g.add((ds, DCAT.theme, URIRef(f"{base}/themes/{theme['id']}")))
        if theme.get("eu_theme"):
            g.add((ds, DCAT.theme, _typed(g, EU_THEME[theme["eu_theme"]], SKOS.Concept)))
    g.add((ds, DCTERMS.accessRights, _typed(g, EU_ACCESS[ACCESS_EU[rec.open_condition]], DCTERMS.RightsStatement)))
    g.add((ds, DCTERMS.accrualPeriodicity, _typed(g, EU_FREQ[FREQUENCY_EU[rec.frequency]], DCTERMS.Frequency)))
    g.add((ds, DCTERMS.issued, Literal(rec.issued, datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(rec.modified, datatype=XSD.date)))
    g.add((ds, DCTERMS.language, EU_LANG.ZHO))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(rec.version)))
    add_versions(g, rec, ds)
    g.add((ds, DCAT.landingPage, _typed(g, URIRef(rec.landing_page), FOAF.Document)))
    g.add((ds, FOAF.page, _typed(g, URIRef(rec.datapackage_url), FOAF.Document)))
    if rec.temporal and rec.temporal.get("start"):
        period = BNode()
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(rec.temporal["start"], datatype=XSD.date)))
        if rec.temporal.get("end"):
            g.add((period, DCAT.endDate, Literal(rec.temporal["end"], datatype=XSD.date)))
        g.add((ds, DCTERMS.temporal, period))
    if rec.spatial:
        place = URIRef(f"{base}/divisions/{rec.spatial['code']}")
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, Literal(rec.spatial["name"], lang="zh")))
        g.add((ds, DCTERMS.spatial, place))
    for d in rec.distributions:
        dist = URIRef(f"{rec.landing_page}/distributions/{d.resource}.{d.format.lower()}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        _text(g, dist, DCTERMS.title, d.title, None)
        g.add((dist, DCAT.accessURL, URIRef(rec.landing_page)))
        g.add((dist, DCAT.downloadURL, URIRef(d.url)))
        g.add((dist, DCAT.mediaType, _typed(g, IANA[d.media_type], DCTERMS.MediaType)))
        g.add((dist, DCTERMS.format, _typed(g, EU_FILE[d.format], DCTERMS.MediaTypeOrExtent)))
        g.add((dist, DCAT.byteSize, Literal(d.bytes, datatype=XSD.nonNegativeInteger)))
        _checksum(g, dist, d.sha256)
        g.add((dist, DCTERMS.conformsTo, _typed(g, URIRef(d.schema_url), DCTERMS.Standard)))
        g.add((dist, DCAT.accessService, service))
        g.add((dist, DCTERMS.modified, Literal(rec.modified, datatype=XSD.date)))
        if rec.rights:  # the conditions of a restricted dataset (its dct:accessRights is the EU code)
            rights = BNode()
            g.add((rights, RDF.type, DCTERMS.RightsStatement))
            g.add((rights, RDFS.label, Literal(rec.rights, lang="zh")))
            g.add((dist, DCTERMS.rights, rights))
        if rec.license:
            lic = _typed(g, URIRef(rec.license["url"]), DCTERMS.LicenseDocument)
            g.add((lic, RDFS.label, Literal(rec.license["title"])))
            g.add((dist, DCTERMS.license, lic))


RELEASE_MEDIA = {"csv": ("text/csv", "CSV"), "parquet": ("application/vnd.apache.parquet", "PARQUET")}


def _checksum(g: Graph, node, sha256: str) -> None:
    checksum = BNode()
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, _typed(g, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    g.add((node, SPDX.checksum, checksum))


def add_versions(g: Graph, rec: Record, ds: URIRef) -> None:
    """Every release as a dcat:Dataset (``dcat:hasVersion``), chained by ``dcat:previousVersion``,
    with its notes (``adms:versionNotes``), date and its own downloads (see publish.releases)."""
    nodes = {h["id"]: URIRef(f"{rec.landing_page}/changelog#v{h['id']}") for h in rec.releases}
    for h in rec.releases:
        node = nodes[h["id"]]
        g.add((ds, URIRef(str(DCAT) + "hasVersion"), node))
        g.add((node, RDF.type, DCAT.Dataset))
        _text(g, node, DCTERMS.title, f"{rec.title} {h['id']}", f"{rec.title_en} {h['id']}" if rec.title_en else None)
        _text(g, node, DCTERMS.description, h.get("notes") or f"{rec.title}，版本 {h['id']}", None)
        g.add((node, URIRef(str(DCAT) + "version"), Literal(h["id"])))
        g.add((node, URIRef(str(DCAT) + "isVersionOf"), ds))
        g.add((node, DCTERMS.issued, Literal(h["date"], datatype=XSD.dateTime)))
        if h.get("notes"):
            g.add((node, ADMS.versionNotes, Literal(h["notes"], lang="zh")))
        if h.get("previous") in nodes:
            g.add((node, URIRef(str(DCAT) + "previousVersion"), nodes[h["previous"]]))
        for f in h.get("files") or []:
            if f.get("format") not in RELEASE_MEDIA:
                continue
            media, fmt = RELEASE_MEDIA[f["format"]]
            dist = URIRef(f"{h['url']}{f['path']}")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.accessURL, URIRef(f"{rec.landing_page}/changelog")))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCAT.mediaType, _typed(g, IANA[media], DCTERMS.MediaType)))
            g.add((dist, DCTERMS.format, _typed(g, EU_FILE[fmt], DCTERMS.MediaTypeOrExtent)))
            g.add((dist, DCAT.byteSize, Literal(f["bytes"], datatype=XSD.nonNegativeInteger)))
            _checksum(g, dist, f["sha256"])
        if h.get("latest"):
            if h.get("notes"):
                g.add((ds, ADMS.versionNotes, Literal(h["notes"], lang="zh")))
            if h.get("previous") in nodes:
                g.add((ds, URIRef(str(DCAT) + "previousVersion"), nodes[h["previous"]]))
