"""chainlib.py - the source options of the NRTM chain tests (test_chain.py,
test_rpki_chain.py): DEMO authoritative with a journal and an export, and
DEMO mirrored from an upstream's export and NRTM port."""


def authoritative(export, timer):
    """DEMO authoritative, journalled, exported to EXPORT every TIMER s."""
    return {"DEMO": {"authoritative": True, "keep_journal": True, "nrtm_access_list": "local",
                     "export_destination": export, "export_timer": timer}}


def mirror(upstream, port, timer, export=None):
    """DEMO mirrored: a full import from UPSTREAM (a directory or a URL that
    holds demo.db.gz and DEMO.CURRENTSERIAL), then NRTM v3 from port PORT
    on loopback, every TIMER s; with EXPORT, exported there in turn."""
    base = upstream if "://" in upstream else f"file://{upstream}"
    o = {"keep_journal": True, "nrtm_access_list": "local",
         "import_source": f"{base}/demo.db.gz",
         "import_serial_source": f"{base}/DEMO.CURRENTSERIAL",
         "nrtm_host": "127.0.0.1", "nrtm_port": port, "import_timer": timer}
    if export:
        o.update({"export_destination": export, "export_timer": timer})
    return {"DEMO": o}
