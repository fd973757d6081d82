"""Reads of an audit that are more than a filter: its grid with the grades, its scores (issue #5)."""

from audits import rules
from audits.enums import OR_SECTION
from audits.models import Audit, Checkpoint, Grade, GridSection


def grade_points_by_code(audit: Audit) -> dict:
    """Every checkpoint of the audit's grid, in grid order: code → points (float) or None while ungraded."""
    points = {
        checkpoint_id: value
        for checkpoint_id, value in Grade.objects.filter(audit=audit).values_list("checkpoint_id", "points")
    }
    return {
        code: (None if points.get(pk) is None else float(points[pk]))
        for pk, code in Checkpoint.objects.filter(grid_id=audit.grid_id)
        .order_by("position")
        .values_list("pk", "code")
    }


def grid_with_grades(audit: Audit, *, with_previous: bool = True) -> list[dict]:
    """The audit's grid, section by section, each checkpoint with its current grade, and for a follow-up the
    checkpoints graded below 0.75 at the previous audit marked `highlighted`. Three queries (four with a previous
    audit), whatever the grid's size."""
    sections = list(GridSection.objects.filter(grid_id=audit.grid_id).order_by("position"))
    checkpoints = list(Checkpoint.objects.filter(grid_id=audit.grid_id).order_by("position"))
    grades = {
        grade.checkpoint_id: grade for grade in Grade.objects.filter(audit=audit).select_related("updated_by")
    }
    highlighted: set = set()
    previous_points: dict = {}
    if with_previous and audit.previous_audit_id:
        previous = {
            code: (None if value is None else float(value))
            for code, value in Grade.objects.filter(audit_id=audit.previous_audit_id).values_list(
                "checkpoint__code", "points"
            )
        }
        previous_points = previous
        highlighted = rules.highlighted_for_follow_up(previous)
    by_section: dict = {section.pk: [] for section in sections}
    for checkpoint in checkpoints:
        grade = grades.get(checkpoint.pk)
        by_section[checkpoint.section_id].append(
            {
                "checkpoint": checkpoint,
                "grade": grade,
                "points": None if grade is None or grade.points is None else float(grade.points),
                "version": grade.version if grade else 0,
                "highlighted": checkpoint.code in highlighted,
                "previous_points": previous_points.get(checkpoint.code),
            }
        )
    return [
        {"section": section, "is_or": section.code == OR_SECTION, "rows": by_section[section.pk]}
        for section in sections
    ]


def audit_scores(audit: Audit, grid: list[dict] | None = None) -> dict:
    """The scores of an audit: for a local audit, each commitment's and the « Or » criteria's score (100 × mean of
    the checkpoints, None while one is ungraded) with the running score; for a central audit, the share of
    checkpoints validated (§3.7)."""
    grid = grid if grid is not None else grid_with_grades(audit, with_previous=False)
    points = {row["checkpoint"].pk: row["points"] for section in grid for row in section["rows"]}
    sections_of = {
        row["checkpoint"].pk: section["section"].code for section in grid for row in section["rows"]
    }
    if audit.is_central:
        result = rules.central_result(points.values())
        return {
            "central": result,
            "sections": [],
            "graded": sum(v is not None for v in points.values()),
            "total": len(points),
        }
    final = rules.section_scores(points, sections_of)
    running = rules.running_scores(points, sections_of)
    return {
        "central": None,
        "sections": [
            {
                "section": section["section"],
                "is_or": section["is_or"],
                "score": final[section["section"].code],
                "running": running[section["section"].code],
            }
            for section in grid
        ],
        "graded": sum(v is not None for v in points.values()),
        "total": len(points),
    }
