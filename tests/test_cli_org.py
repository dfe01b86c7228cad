"""``mibao org`` on a fresh instance: a company's organisation from one CSV file, its posts and rules."""

from __future__ import annotations

from pathlib import Path

from tests.cli_support import Runner

CSV = """id,name,department,post,personnel_level,roles,head,liaison,committee
gm,陈建华,总经理办公室,总经理,core,general_manager,yes,,chair
hr1,刘芳,人力资源部,,,hr,,,
sec1,周明,保密管理部,,,secrecy_office,,,member
rd1,钱伟,技术研发部,部门经理,important,,yes,,member
rd2,孙丽,技术研发部,保密员,general,,,yes,
"""


def test_a_company_imports_its_organisation_and_runs_on_it(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "org.csv").write_text(CSV, encoding="utf-8")
    dry = run("org", "import", "org.csv", "--dry-run")
    assert "checked (dry run, nothing written): 5 added" in dry.stdout
    assert "nobody" not in run("org", "show").stdout and "技术研发部" not in run("org", "show").stdout

    imported = run("org", "import", "org.csv", "--as", "hr1")
    assert "imported: 5 added; posts ended: 0" in imported.stdout
    shown = run("org", "show").stdout
    assert "chair 陈建华 (gm); members 陈建华 (gm), 周明 (sec1), 钱伟 (rd1); quorum 0.6667, majority > 0.5" in shown
    assert "技术研发部: head 钱伟 (rd1); liaisons 孙丽 (rd2)" in shown

    refused = run("org", "appoint", "committee_chair", "sec1", ok=False)
    assert refused.returncode == 1 and "the committee's chair is the general manager" in refused.stderr
    run("org", "set", "committee.quorum", "0.75", "--as", "sec1")
    assert "quorum 0.75" in run("org", "show").stdout
    history = run("org", "history").stdout
    assert "sec1       setting    committee.quorum" in history and "hr1        import     5 people" in history


def test_a_bad_row_is_named_and_nothing_is_imported(run: Runner, tmp_path: Path) -> None:
    (tmp_path / "org.csv").write_text(CSV + "rd3,王五,技术研发部,,secret,,,,\n", encoding="utf-8")
    failed = run("org", "import", "org.csv", ok=False)
    assert failed.returncode == 1
    assert "line 7 (rd3): personnel_level 'secret': use core, important, general or leave it empty" in failed.stderr
    assert "nothing imported: fix the rows above" in failed.stderr
    assert "技术研发部" not in run("org", "show").stdout
    (tmp_path / "gbk.csv").write_bytes(CSV.encode("gbk"))
    assert "is not UTF-8" in run("org", "import", "gbk.csv", ok=False).stderr
