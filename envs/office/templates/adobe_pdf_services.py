"""Task templates of AdobePDFServices: merging named PDFs and unlocking protected ones, which chains cannot reach."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.office.adobe_pdf_services import AdobePDFServices


def documents(world: AdobePDFServices, rng: random.Random, n: int, where: str = "1") -> list[dict[str, Any]]:
    """``n`` documents (meeting ``where``) whose file name is not part of another one's, so a search finds one."""
    rows = world.rows(f"SELECT * FROM documents d WHERE {where} AND NOT EXISTS (SELECT 1 FROM documents o WHERE"
                      " o.asset_id != d.asset_id AND instr(o.filename, d.filename)) ORDER BY asset_id")
    return rng.sample(rows, n) if len(rows) >= n else []


def find(doc: dict[str, Any]) -> Any:
    return call("list_documents", query=doc["filename"])


@scenario
def merge_two(world: AdobePDFServices, rng: random.Random) -> Draft | None:
    docs = documents(world, rng, 2, "encrypted = 0")
    if not docs:
        return None
    name = rng.choice(["Signed bundle", "Audit pack", "Closing binder", "Board packet"]) + f" {rng.randrange(10, 99)}"
    return Draft(
        request=rng.choice(["Merge '{a}' and '{b}' (in that order) into one PDF called '{n}'.",
                            "I need '{a}' followed by '{b}' as a single PDF named '{n}'."]).format(
            a=docs[0]["filename"], b=docs[1]["filename"], n=name),
        calls=(find(docs[0]), find(docs[1]),
               call("combine_pdfs", asset_ids=[Ref(0, "0.asset_id"), Ref(1, "0.asset_id")], output_filename=name)))


@scenario
def merge_first_pages(world: AdobePDFServices, rng: random.Random) -> Draft | None:
    docs = documents(world, rng, 2, "encrypted = 0 AND page_count >= 4")
    if not docs:
        return None
    first, pages = docs[0], rng.randrange(2, 4)
    return Draft(
        request=f"Make me a PDF called 'Excerpt {first['filename'][:-4]}' with just the first {pages} pages of "
                f"'{first['filename']}' followed by all of '{docs[1]['filename']}'.",
        calls=(find(first), find(docs[1]),
               call("combine_pdfs", asset_ids=[Ref(0, "0.asset_id"), Ref(1, "0.asset_id")],
                    page_ranges=[f"1-{pages}", "all"], output_filename=f"Excerpt {first['filename'][:-4]}")))


@scenario
def unlock_and_export(world: AdobePDFServices, rng: random.Random) -> Draft | None:
    docs = documents(world, rng, 1, "encrypted = 1 AND searchable = 1")
    if not docs:
        return None
    doc, target = docs[0], rng.choice(["docx", "xlsx", "pptx"])
    return Draft(
        request=f"'{doc['filename']}' is locked with the password {doc['password']}. Take the password off and "
                f"export it to {target} for me.",
        calls=(find(doc), call("remove_protection", asset_id=Ref(0, "0.asset_id"), password=doc["password"]),
               call("export_pdf_to_format", asset_id=Ref(0, "0.asset_id"), target_format=target)))


@scenario
def ocr_then_merge(world: AdobePDFServices, rng: random.Random) -> Draft | None:
    scans = documents(world, rng, 1, "encrypted = 0 AND searchable = 0 AND page_count <= 100")
    others = documents(world, rng, 1, "encrypted = 0 AND searchable = 1")
    if not scans or not others:
        return None
    scan, other = scans[0], others[0]
    return Draft(
        request=f"Run OCR on the scan '{scan['filename']}' so it's searchable, then put the searchable version "
                f"after '{other['filename']}' in one PDF named 'Combined {other['filename'][:-4]}'.",
        calls=(find(scan), call("ocr_pdf", asset_id=Ref(0, "0.asset_id")), find(other),
               call("combine_pdfs", asset_ids=[Ref(2, "0.asset_id"), Ref(1, "asset_id")],
                    output_filename=f"Combined {other['filename'][:-4]}")))


@scenario
def reprotect(world: AdobePDFServices, rng: random.Random) -> Draft | None:
    docs = documents(world, rng, 1, "encrypted = 1")
    if not docs:
        return None
    doc, new = docs[0], f"{rng.choice(['Harbor', 'Maple', 'Quartz', 'Falcon'])}{rng.randrange(100, 999)}x"
    return Draft(
        request=f"Change the password of '{doc['filename']}' from {doc['password']} to {new}, and let people "
                "print it in high quality this time.",
        calls=(find(doc), call("remove_protection", asset_id=Ref(0, "0.asset_id"), password=doc["password"]),
               call("protect_pdf", asset_id=Ref(0, "0.asset_id"), password=new, permissions=["print_high_quality"])))
