"""Behaviour of the AdobePDFServices environment: jobs over the document library, protection, OCR, limits, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "AdobePDFServices"


def doc(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM documents WHERE {where} ORDER BY asset_id")


def test_create_from_html_adds_a_document_and_a_job_found_by_search(world: Any) -> None:
    used = world.value("SELECT used FROM account")
    result = world.call("create_pdf_from_html", {"html_content": "<h1>Zephyr memo</h1><div style='page-break-before:"
                                                 " always'>two</div>", "output_filename": "Zephyr memo"})
    assert result["page_count"] == 2
    row = world.row("SELECT filename, page_count, searchable, encrypted FROM documents WHERE asset_id = ?",
                    result["asset_id"])
    assert row == {"filename": "Zephyr memo.pdf", "page_count": 2, "searchable": 1, "encrypted": 0}
    assert world.row("SELECT operation, status, output FROM jobs WHERE job_id = ?", result["job_id"]) == {
        "operation": "createpdf", "status": "succeeded", "output": result["asset_id"]}
    assert world.value("SELECT used FROM account") == used + 1
    assert [d["asset_id"] for d in world.call("list_documents", {"query": "zephyr"})] == [result["asset_id"]]


def test_duplicate_names_empty_html_and_the_monthly_quota_are_refused(env: Any, world: Any) -> None:
    taken = doc(world, "1")["filename"]
    assert fails(env, world, "create_pdf_from_html", {"html_content": "<p>x</p>", "output_filename": taken}) == (
        f"the library already has a document named '{taken}'; choose another output_filename")
    assert fails(env, world, "create_pdf_from_html", {"html_content": "<p> </p>"}) == (
        "html_content renders an empty page; give it some visible text")
    world.conn.execute("UPDATE account SET used = monthly_limit")
    assert fails(env, world, "create_pdf_from_html", {"html_content": "hello"}) == (
        "the Free tier allows 500 document transactions a month and all are used; upgrade the plan or wait for "
        "next month")


def test_protect_and_unlock(env: Any, world: Any) -> None:
    plain = doc(world, "encrypted = 0")
    weak = {"asset_id": plain["asset_id"], "password": "abcdefgh"}
    assert fails(env, world, "protect_pdf", weak) == "the password must mix letters and digits"
    result = world.call("protect_pdf", {**weak, "password": "Harbor42", "permissions": ["print_high_quality"]})
    assert result["permissions_applied"] == ["print_high_quality", "print_low_quality"]
    after = world.row("SELECT encrypted, password, permissions FROM documents WHERE asset_id = ?", plain["asset_id"])
    assert after == {"encrypted": 1, "password": "Harbor42", "permissions": "print_high_quality,print_low_quality"}
    name = plain["filename"]
    assert fails(env, world, "protect_pdf", {**weak, "password": "Other123"}) == (
        f"'{name}' is already password-protected; remove_protection first to change it")
    assert fails(env, world, "export_pdf_to_format", {"asset_id": plain["asset_id"], "target_format": "png"}) == (
        f"'{name}' is password-protected and cannot be exported; remove_protection with its password first")
    assert fails(env, world, "remove_protection", {"asset_id": plain["asset_id"], "password": "Wrong123"}) == (
        f"wrong password for '{name}'")
    world.call("remove_protection", {"asset_id": plain["asset_id"], "password": "Harbor42"})
    assert world.value("SELECT encrypted FROM documents WHERE asset_id = ?", plain["asset_id"]) == 0


def test_scans_need_ocr_before_office_export(env: Any, world: Any) -> None:
    scan = doc(world, "searchable = 0 AND encrypted = 0 AND page_count <= 100")
    assert fails(env, world, "export_pdf_to_format", {"asset_id": scan["asset_id"], "target_format": "docx"}) == (
        f"'{scan['filename']}' is a scanned PDF without a text layer; run ocr_pdf on it and export the OCR output "
        "to docx")
    ocr = world.call("ocr_pdf", {"asset_id": scan["asset_id"], "language": "de-DE"})
    made = world.row("SELECT filename, searchable, ocr_language FROM documents WHERE asset_id = ?", ocr["asset_id"])
    assert made == {"filename": scan["filename"][:-4] + "_ocr.pdf", "searchable": 1, "ocr_language": "de-DE"}
    exported = world.call("export_pdf_to_format", {"asset_id": ocr["asset_id"], "target_format": "docx"})
    assert world.row("SELECT format, file_count FROM exports WHERE export_id = ?", exported["export_id"]) == {
        "format": "docx", "file_count": 1}
    text = doc(world, "searchable = 1 AND encrypted = 0")
    assert fails(env, world, "ocr_pdf", {"asset_id": text["asset_id"]}) == (
        f"'{text['filename']}' already has a text layer; OCR is only for scanned PDFs")
    big = doc(world, "searchable = 0 AND encrypted = 0 AND page_count > 100")
    if big:
        assert "OCR takes at most 100" in fails(env, world, "ocr_pdf", {"asset_id": big["asset_id"]})


def test_combine_checks_page_ranges(env: Any, world: Any) -> None:
    a, b = world.rows("SELECT * FROM documents WHERE encrypted = 0 AND page_count >= 3 ORDER BY asset_id LIMIT 2")
    bad = {"asset_ids": [a["asset_id"], b["asset_id"]], "page_ranges": ["1-2", f"2-{b['page_count'] + 1}"]}
    assert fails(env, world, "combine_pdfs", bad) == (
        f"page range '2-{b['page_count'] + 1}' does not fit '{b['filename']}' ({b['page_count']} pages); use ranges"
        f" like '1-3,5' within 1-{b['page_count']}")
    result = world.call("combine_pdfs", {**bad, "page_ranges": ["1-2", "all"], "output_filename": "Pack"})
    assert (result["total_pages"], result["source_count"]) == (2 + b["page_count"], 2)
    assert world.value("SELECT page_count FROM documents WHERE filename = 'Pack.pdf'") == 2 + b["page_count"]


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    ids = tools["combine_pdfs"][1].parameters["properties"]["asset_ids"]
    assert (ids["minItems"], ids["maxItems"]) == (2, 20)
    assert tools["protect_pdf"][1].parameters["properties"]["password"]["minLength"] == 6
    assert tools["protect_pdf"][1].user_known == frozenset({"password"})


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "unlock_and_export")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    name, arguments = calls[-1]
    other = "docx" if arguments["target_format"] != "docx" else "pptx"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "target_format": other})]) == 0.0
