"""The platform's default audit grids, written in its own words from the 8 commitments (the official annexes 1, 2, 6
and 7 are not public): audits/grids/local-v1.json and central-v1.json, in the format of docs/grid-format.md. The
DITP publishes new versions; audits keep the version they started with."""

import hashlib
import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

GRIDS = Path(__file__).resolve().parent.parent / "grids"


def create(apps, schema_editor):
    AuditGrid = apps.get_model("audits", "AuditGrid")
    GridSection = apps.get_model("audits", "GridSection")
    Checkpoint = apps.get_model("audits", "Checkpoint")
    for name in ("local-v1.json", "central-v1.json"):
        raw = (GRIDS / name).read_bytes()
        document = json.loads(raw)
        grid = AuditGrid.objects.create(
            kind=document["kind"],
            version=1,
            title=document["title"],
            source_sha256=hashlib.sha256(raw).hexdigest(),
            published_at=timezone.now(),
        )
        position = 0
        for section_position, section in enumerate(document["sections"], start=1):
            row = GridSection.objects.create(
                grid=grid, code=section["code"], title=section["title"], position=section_position
            )
            for checkpoint in section["checkpoints"]:
                position += 1
                Checkpoint.objects.create(
                    grid=grid,
                    section=row,
                    code=checkpoint["code"],
                    requirement=checkpoint["requirement"],
                    guidance=checkpoint.get("guidance", ""),
                    position=position,
                )


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
