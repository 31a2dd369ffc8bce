"""AdobePDFServices: PDF jobs (create from HTML, export, OCR, combine, protect) over the user's document library."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, like_pattern, strptime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ASSET = "urn:aaid:AS:UE1:"
STORAGE = "https://dcplatformstorageservice-prod-us-east-1.s3.amazonaws.com"
OCR_PAGE_LIMIT, COMBINE_PAGE_LIMIT = 100, 1500
OFFICE_FORMATS = frozenset({"docx", "xlsx", "pptx"})
PERMISSIONS = Literal["print_low_quality", "print_high_quality", "edit_content", "edit_document_assembly",
                      "edit_annotations", "edit_fill_and_sign_form_fields", "copy_content"]
OPERATIONS = ("createpdf", "exportpdf", "ocr", "combinepdf", "protectpdf", "removeprotection")
KINDS = [  # file-name pattern, pages range, share scanned
    ("Invoice {n}", (1, 3), 0.3), ("Lease agreement {company}", (8, 40), 0.2), ("Board minutes {month}", (4, 18), 0),
    ("Scanned receipt {n}", (1, 2), 1.0), ("Employee handbook {year}", (60, 180), 0), ("Survey forms {word}",
    (20, 160), 1.0), ("Quarterly report Q{q} {year}", (12, 60), 0), ("NDA {company}", (2, 6), 0.3),
    ("Purchase order {n}", (1, 4), 0.2), ("Site inspection {word}", (6, 30), 0.6), ("Grant proposal {word}", (10, 45), 0),
]
LANGUAGES = Literal["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "ja-JP", "pt-BR"]
Password = Annotated[str, UserKnown, Field(min_length=6, max_length=32)]
AssetId = Annotated[str, Field(min_length=1, max_length=80)]

Document = TypedDict("Document", {"asset_id": str, "filename": str, "page_count": int, "file_size": int,
                                  "page_size": str, "searchable": bool, "ocr_language": str | None,
                                  "encrypted": bool, "encryption_level": str | None, "permissions": list[str],
                                  "pdf_url": str, "created_time": str})
Created = TypedDict("Created", {"asset_id": str, "pdf_url": str, "page_count": int, "file_size": int, "job_id": str})
Exported = TypedDict("Exported", {"export_id": str, "export_url": str, "format": str, "page_count": int,
                                  "file_count": int, "job_id": str})
Ocr = TypedDict("Ocr", {"asset_id": str, "output_url": str | None, "extracted_text": str | None,
                        "confidence_score": float, "job_id": str})
Combined = TypedDict("Combined", {"asset_id": str, "combined_pdf_url": str, "total_pages": int, "source_count": int,
                                  "job_id": str})
Protected = TypedDict("Protected", {"asset_id": str, "protected_pdf_url": str, "encryption_level": str | None,
                                    "permissions_applied": list[str], "job_id": str})
Job = TypedDict("Job", {"job_id": str, "operation": str, "status": str, "asset_id": str, "output": str | None,
                        "message": str | None, "created_time": str})


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TAG = re.compile(r"<[^>]+>")
_LETTER, _DIGIT = re.compile(r"[A-Za-z]"), re.compile(r"\d")
_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")
#: The columns a Document shows (list_documents selects only these).
_SHOWN = ("asset_id, filename, page_count, file_size, page_size, searchable, ocr_language, encrypted, encryption_level,"
          " permissions, created_time")


def slug(name: str) -> str:
    return _UNSAFE.sub("_", name)



def pdf_name(name: str | None, fallback: str) -> str:
    name = (name or fallback).strip()
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class AdobePDFServices(World):
    """Adobe PDF Services for one developer account: the PDFs in its document library (assets, ids like
    'urn:aaid:AS:UE1:...'), the jobs run on them and their exported files. Every operation is a job counted
    against the account's monthly document transactions; password-protected PDFs must be unlocked first."""

    domain = "Office"
    schema = """
    CREATE TABLE account (plan TEXT PRIMARY KEY, monthly_limit INTEGER NOT NULL, used INTEGER NOT NULL);
    CREATE TABLE documents (asset_id TEXT PRIMARY KEY, filename TEXT NOT NULL UNIQUE, page_count INTEGER NOT NULL,
        file_size INTEGER NOT NULL, page_size TEXT NOT NULL, searchable INTEGER NOT NULL, body TEXT NOT NULL,
        scan_quality REAL NOT NULL, ocr_language TEXT, encrypted INTEGER NOT NULL DEFAULT 0, password TEXT,
        encryption_level TEXT, permissions TEXT NOT NULL DEFAULT '', created_time TEXT NOT NULL);
    CREATE INDEX documents_by_time ON documents (created_time);
    CREATE TABLE jobs (job_id TEXT PRIMARY KEY, operation TEXT NOT NULL, status TEXT NOT NULL,
        asset_id TEXT NOT NULL REFERENCES documents, output TEXT, message TEXT, created_time TEXT NOT NULL);
    CREATE TABLE exports (export_id TEXT PRIMARY KEY, asset_id TEXT NOT NULL REFERENCES documents,
        format TEXT NOT NULL, filename TEXT NOT NULL, file_count INTEGER NOT NULL, created_time TEXT NOT NULL);
    """
    volatile = {"documents": ("created_time",), "jobs": ("created_time",), "exports": ("created_time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        docs: dict[str, dict[str, Any]] = {}
        while len(docs) < 72:
            pattern, (low, high), scanned = rng.choice(KINDS)
            name = pattern.format(n=rng.randrange(1000, 9999), company=fake.last_name(), word=fake.city(),
                                  month=rng.choice(["January", "February", "March", "April", "May", "June"]),
                                  year=rng.randrange(2021, 2026), q=rng.randrange(1, 5)) + ".pdf"
            pages, locked = rng.randint(low, high), rng.random() < 0.15
            created = dt.datetime.combine(cls.days_before_start(rng, 2, 400), dt.time(rng.randrange(7, 20)))
            docs.setdefault(name, {
                "asset_id": fake_id(rng, ASSET), "filename": name, "page_count": pages, "body": fake.paragraph(5),
                "file_size": pages * rng.randrange(40_000, 420_000), "page_size": rng.choice(["Letter", "A4"]),
                "searchable": int(rng.random() >= scanned), "scan_quality": round(rng.uniform(0.72, 0.99), 2),
                "ocr_language": None, "encrypted": int(locked),
                "password": f"{fake.word().title()}{rng.randrange(1000, 9999)}" if locked else None,
                "encryption_level": rng.choice(["AES_128", "AES_256"]) if locked else None,
                "permissions": ",".join(sorted(rng.sample(list(PERMISSIONS.__args__), 2))) if locked else "",
                "created_time": created.strftime(TIME_FORMAT)})
        jobs, exports = [], []
        for doc in rng.sample(list(docs.values()), 50):
            for _ in range(rng.randrange(1, 4)):
                operation = rng.choice(OPERATIONS[:4])
                failed = rng.random() < 0.2
                at = strptime(doc["created_time"], TIME_FORMAT) + dt.timedelta(hours=rng.randrange(1, 900))
                job = {"job_id": fake_id(rng, "job_"), "operation": operation, "asset_id": doc["asset_id"],
                       "status": "failed" if failed else "succeeded", "output": None,
                       "created_time": min(at, cls.start_time).strftime(TIME_FORMAT),
                       "message": rng.choice(["Input file exceeds the page limit", "Corrupt or unsupported PDF",
                                              "Request timed out"]) if failed else None}
                if operation == "exportpdf" and not failed:
                    fmt = rng.choice(["docx", "xlsx", "pptx", "png"])
                    job["output"] = fake_id(rng, ASSET)
                    exports.append({"export_id": job["output"], "asset_id": doc["asset_id"], "format": fmt,
                                    "filename": doc["filename"][:-4] + "." + fmt, "created_time": job["created_time"],
                                    "file_count": doc["page_count"] if fmt == "png" else 1})
                jobs.append(job)
        db["account"].insert({"plan": "Free tier", "monthly_limit": 500, "used": rng.randrange(380, 450)})
        db["documents"].insert_all(docs.values())
        db["jobs"].insert_all(jobs)
        db["exports"].insert_all(exports)

    # ------------------------------------------------------------------ helpers
    def _doc(self, asset_id: str, unlocked: str = "") -> dict[str, Any]:
        doc = self.require("SELECT * FROM documents WHERE asset_id = ?", asset_id,
                           error=f"no document with asset id '{asset_id}'; list_documents shows the library")
        if unlocked and doc["encrypted"]:
            raise ToolError(f"'{doc['filename']}' is password-protected and cannot be {unlocked}; "
                            "remove_protection with its password first")
        return doc

    def _url(self, asset_id: str, filename: str) -> str:
        return f"{STORAGE}/{asset_id.removeprefix(ASSET)}/{slug(filename)}"

    def _render(self, doc: dict[str, Any]) -> Document:
        return {"asset_id": doc["asset_id"], "filename": doc["filename"], "page_count": doc["page_count"],
                "file_size": doc["file_size"], "page_size": doc["page_size"], "searchable": bool(doc["searchable"]),
                "ocr_language": doc["ocr_language"], "encrypted": bool(doc["encrypted"]),
                "encryption_level": doc["encryption_level"], "pdf_url": self._url(doc["asset_id"], doc["filename"]),
                "permissions": doc["permissions"].split(",") if doc["permissions"] else [],
                "created_time": doc["created_time"]}

    def _job(self, operation: str, asset_id: str, output: str | None, stamp: str | None = None) -> str:
        """Charge one document transaction and record a finished job."""
        if not self.execute("UPDATE account SET used = used + 1 WHERE used < monthly_limit"):
            account = self.row("SELECT * FROM account")
            raise ToolError(f"the {account['plan']} allows {account['monthly_limit']} document transactions a month "
                            "and all are used; upgrade the plan or wait for next month")
        job_id = self.new_id("jobs", "job_")
        self.execute("INSERT INTO jobs VALUES (?, ?, 'succeeded', ?, ?, NULL, ?)", job_id, operation,
                     asset_id, output, stamp or self.clock_text(TIME_FORMAT))
        return job_id

    def _store(self, filename: str, pages: int, size: int, page_size: str, body: str, searchable: int = 1,
               ocr_language: str | None = None) -> tuple[str, str]:
        """Save a new PDF in the library; returns its asset id and its created time."""
        asset_id, stamp = self.new_id("documents", ASSET), self.clock_text(TIME_FORMAT)
        try:
            self.execute("INSERT INTO documents (asset_id, filename, page_count, file_size, page_size, searchable,"
                         " body, scan_quality, ocr_language, created_time) VALUES (?, ?, ?, ?, ?, ?, ?, 1.0, ?, ?)",
                         asset_id, filename, pages, size, page_size, searchable, body, ocr_language, stamp)
        except sqlite3.IntegrityError as exc:  # the file name is UNIQUE
            if "documents.filename" not in str(exc):
                raise
            raise ToolError(f"the library already has a document named '{filename}'; choose another output_filename"
                            ) from None
        return asset_id, stamp

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find the PDFs in my library named like {query}", "search my PDF library for {query}",
                  "show my PDF library"])
    def list_documents(self, query: str | None = None, encrypted: bool | None = None, searchable: bool | None = None,
                       page_size: Annotated[int, Field(ge=1, le=100)] = 50) -> list[Document]:
        """List PDFs in the document library, newest first; filter by words of the file name, protection or text.

        Args:
            query: Words the file name contains, e.g. "invoice".
            encrypted: True for password-protected PDFs only, False for unprotected ones only.
            searchable: False for scanned PDFs without a text layer (they need OCR), True for the others.
            page_size: At most this many documents.
        """
        filters = "(?1 IS NULL OR encrypted = ?1) AND (?2 IS NULL OR searchable = ?2)"
        if query and query.strip():
            # A scan of the file names (72 short rows) costs less than a trigram lookup; sorting the few matches
            # costs less than walking the time index.
            rows = self.rows(f"SELECT {_SHOWN} FROM documents WHERE filename LIKE ?3 ESCAPE '\\' AND {filters}"
                             " ORDER BY +created_time DESC, asset_id LIMIT ?4", encrypted, searchable,
                             like_pattern(query.strip()), page_size)
        else:
            rows = self.rows(f"SELECT {_SHOWN} FROM documents WHERE {filters} ORDER BY created_time DESC, asset_id"
                             " LIMIT ?3", encrypted, searchable, page_size)
        return [self._render(r) for r in rows]

    @tool(phrase=["check how many pages {asset_id} has", "look up the details of {asset_id}",
                  "check whether {asset_id} is password-protected"])
    def get_document(self, asset_id: AssetId) -> Document:
        """One PDF's details: pages, size, whether it has a text layer, protection and permissions.

        Args:
            asset_id: The document's asset id.
        """
        return self._render(self._doc(asset_id))

    @tool(writes=True, phrase=["make a {page_size} PDF called {output_filename} from this HTML: {html_content}",
                               "turn {html_content} into a PDF[ named {output_filename}]",
                               "create a PDF[ on {page_size} paper] from the text {html_content}"])
    def create_pdf_from_html(self, html_content: Annotated[str, Field(min_length=1, max_length=200_000)],
                             output_filename: str | None = None,
                             page_size: Literal["A4", "Letter", "Legal"] = "Letter") -> Created:
        """Render HTML (or plain text) into a new PDF in the library. Each '<div style="page-break-before:
        always">' starts a new page; long content flows onto more pages.

        Args:
            html_content: The HTML to render.
            output_filename: Name of the new PDF (".pdf" is added); "document-<n>.pdf" by default.
            page_size: Paper size.
        """
        text = _TAG.sub(" ", html_content)
        if not text.strip():
            raise ToolError("html_content renders an empty page; give it some visible text")
        filename = pdf_name(output_filename, "") if output_filename else \
            f"document-{self.value('SELECT COUNT(*) FROM documents') + 1}.pdf"
        pages = 1 + html_content.count("page-break-before") + len(text) // 3500
        asset_id, stamp = self._store(filename, pages, 12_000 + len(html_content) * 3, page_size,
                                      " ".join(text.split()))
        return {"asset_id": asset_id, "pdf_url": self._url(asset_id, filename), "page_count": pages,
                "file_size": 12_000 + len(html_content) * 3,
                "job_id": self._job("createpdf", asset_id, asset_id, stamp)}

    @tool(writes=True, phrase=["export {asset_id} to {target_format}", "convert {asset_id} into a {target_format} file"
                               "[ called {output_filename}]"])
    def export_pdf_to_format(self, asset_id: AssetId, target_format: Literal["docx", "xlsx", "pptx", "jpeg", "png"],
                             output_filename: str | None = None) -> Exported:
        """Export a PDF to Word, Excel or PowerPoint, or to images (one image per page). Office formats need a text
        layer: scanned PDFs must go through ocr_pdf first.

        Args:
            asset_id: The PDF's asset id.
            target_format: The format to export to.
            output_filename: Name of the exported file (the extension is added); the PDF's name by default.
        """
        doc = self._doc(asset_id, unlocked="exported")
        if target_format in OFFICE_FORMATS and not doc["searchable"]:
            raise ToolError(f"'{doc['filename']}' is a scanned PDF without a text layer; run ocr_pdf on it and "
                            f"export the OCR output to {target_format}")
        stem = (output_filename or doc["filename"][:-4]).strip().removesuffix(f".{target_format}")
        export_id, files = self.new_id("exports", ASSET), 1 if target_format in OFFICE_FORMATS else doc["page_count"]
        stamp = self.clock_text(TIME_FORMAT)
        self.execute("INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?)", export_id, asset_id, target_format,
                     f"{stem}.{target_format}", files, stamp)
        return {"export_id": export_id, "export_url": self._url(export_id, f"{stem}.{target_format}"),
                "format": target_format, "page_count": doc["page_count"], "file_count": files,
                "job_id": self._job("exportpdf", asset_id, export_id, stamp)}

    @tool(writes=True, phrase=["run OCR on {asset_id}[ in {language}]", "make {asset_id} searchable[ ({language})]",
                               "pull the text out of the scan {asset_id} with OCR"])
    def ocr_pdf(self, asset_id: AssetId, language: LANGUAGES = "en-US",
                output_type: Literal["searchable_pdf", "text_extraction"] = "searchable_pdf") -> Ocr:
        """Recognize the text of a scanned PDF (at most 100 pages). 'searchable_pdf' saves a new PDF with a text
        layer ('<name>_ocr.pdf'); 'text_extraction' returns the text only.

        Args:
            asset_id: The scanned PDF's asset id.
            language: Language of the text, e.g. "de-DE".
            output_type: A new searchable PDF, or the extracted text.
        """
        doc = self._doc(asset_id, unlocked="OCR-processed")
        if doc["searchable"]:
            raise ToolError(f"'{doc['filename']}' already has a text layer; OCR is only for scanned PDFs")
        if doc["page_count"] > OCR_PAGE_LIMIT:
            raise ToolError(f"'{doc['filename']}' has {doc['page_count']} pages and OCR takes at most "
                            f"{OCR_PAGE_LIMIT}; split it with combine_pdfs page ranges first")
        output, url, text, stamp = asset_id, None, doc["body"], None
        if output_type == "searchable_pdf":
            filename = doc["filename"][:-4] + "_ocr.pdf"
            output, stamp = self._store(filename, doc["page_count"], doc["file_size"], doc["page_size"], doc["body"],
                                        ocr_language=language)
            url, text = self._url(output, filename), None
        return {"asset_id": output, "output_url": url, "extracted_text": text,
                "confidence_score": doc["scan_quality"], "job_id": self._job("ocr", asset_id, output, stamp)}

    def _ranges(self, doc: dict[str, Any], spec: str) -> int:
        """How many pages a range like '1-3,7' selects of a document, checking it against its page count."""
        if spec.strip().lower() in ("", "all"):
            return doc["page_count"]
        total = 0
        for part in spec.split(","):
            found = _RANGE.fullmatch(part)
            first, last = (int(found[1]), int(found[2] or found[1])) if found else (0, 0)
            if not found or not 1 <= first <= last <= doc["page_count"]:
                raise ToolError(f"page range '{part.strip()}' does not fit '{doc['filename']}' "
                                f"({doc['page_count']} pages); use ranges like '1-3,5' within 1-{doc['page_count']}")
            total += last - first + 1
        return total

    @tool(writes=True, phrase=["merge {asset_ids} into one PDF[ called {output_filename}]",
                               "combine {asset_ids} into a single PDF[ named {output_filename}]"])
    def combine_pdfs(self, asset_ids: Annotated[list[AssetId], Field(min_length=2, max_length=20)],
                     page_ranges: list[str] | None = None, output_filename: str | None = None) -> Combined:
        """Merge 2 to 20 PDFs, in the given order, into a new PDF (at most 1500 pages in all).

        Args:
            asset_ids: The PDFs to merge, in order.
            page_ranges: Per PDF (same order), the pages to take, e.g. "1-3,5" or "all"; all pages by default.
            output_filename: Name of the merged PDF; "combined-<n>.pdf" by default.
        """
        if page_ranges is not None and len(page_ranges) != len(asset_ids):
            raise ToolError(f"give one page range per PDF: {len(asset_ids)} PDFs but {len(page_ranges)} ranges")
        docs = [self._doc(a, unlocked="combined") for a in asset_ids]
        taken = [self._ranges(d, (page_ranges or [""] * len(docs))[i]) for i, d in enumerate(docs)]
        pages = sum(taken)
        if pages > COMBINE_PAGE_LIMIT:
            raise ToolError(f"the merged PDF would have {pages} pages; the limit is {COMBINE_PAGE_LIMIT}")
        size = sum(d["file_size"] * n // d["page_count"] for d, n in zip(docs, taken))
        filename = pdf_name(output_filename, "") if output_filename else \
            f"combined-{self.value('SELECT COUNT(*) FROM documents') + 1}.pdf"
        asset_id, stamp = self._store(filename, pages, size, docs[0]["page_size"], " ".join(d["body"] for d in docs),
                                      searchable=int(all(d["searchable"] for d in docs)))
        return {"asset_id": asset_id, "combined_pdf_url": self._url(asset_id, filename), "total_pages": pages,
                "source_count": len(docs), "job_id": self._job("combinepdf", asset_ids[0], asset_id, stamp)}

    @tool(writes=True, phrase=["password-protect {asset_id} with {password}",
                               "lock {asset_id} with the password {password}[ and allow only {permissions}]"])
    def protect_pdf(self, asset_id: AssetId, password: Password, permissions: list[PERMISSIONS] | None = None,
                    encryption_level: Literal["AES_128", "AES_256"] = "AES_256") -> Protected:
        """Encrypt a PDF with a password needed to open it; permissions list what readers may still do (none
        listed: printing and copying are blocked). The password needs 6-32 characters with letters and digits.

        Args:
            asset_id: The PDF's asset id.
            password: The password to open the PDF.
            permissions: What readers may do, e.g. ["print_high_quality", "copy_content"].
            encryption_level: AES key length.
        """
        doc = self._doc(asset_id)
        if doc["encrypted"]:
            raise ToolError(f"'{doc['filename']}' is already password-protected; remove_protection first to change it")
        if not (_LETTER.search(password) and _DIGIT.search(password)):
            raise ToolError("the password must mix letters and digits")
        allowed = sorted(set(permissions or []))
        if "print_high_quality" in allowed and "print_low_quality" not in allowed:
            allowed = sorted({*allowed, "print_low_quality"})
        self.execute("UPDATE documents SET encrypted = 1, password = ?, encryption_level = ?, permissions = ?"
                     " WHERE asset_id = ?", password, encryption_level, ",".join(allowed), asset_id)
        return {"asset_id": asset_id, "protected_pdf_url": self._url(asset_id, doc["filename"]),
                "encryption_level": encryption_level, "permissions_applied": allowed,
                "job_id": self._job("protectpdf", asset_id, asset_id)}

    @tool(writes=True, phrase=["remove the password from {asset_id}; it is {password}",
                               "unlock {asset_id} (password {password})"])
    def remove_protection(self, asset_id: AssetId, password: Password) -> Protected:
        """Remove the password and permission limits of a protected PDF (needs its current password).

        Args:
            asset_id: The PDF's asset id.
            password: The PDF's current password.
        """
        doc = self._doc(asset_id)
        if not doc["encrypted"]:
            raise ToolError(f"'{doc['filename']}' is not password-protected")
        if doc["password"] != password:
            raise ToolError(f"wrong password for '{doc['filename']}'")
        self.execute("UPDATE documents SET encrypted = 0, password = NULL, encryption_level = NULL, permissions = ''"
                     " WHERE asset_id = ?", asset_id)
        return {"asset_id": asset_id, "protected_pdf_url": self._url(asset_id, doc["filename"]),
                "encryption_level": None, "permissions_applied": [],
                "job_id": self._job("removeprotection", asset_id, asset_id)}

    @tool(phrase=["show the jobs run on {asset_id}", "list my[ {status}] PDF jobs[ of type {operation}]"])
    def list_jobs(self, asset_id: str | None = None, status: Literal["succeeded", "failed"] | None = None,
                  operation: Literal[OPERATIONS] | None = None,
                  page_size: Annotated[int, Field(ge=1, le=100)] = 50) -> list[Job]:
        """Past jobs, newest first, optionally of one input PDF, status or operation.

        Args:
            asset_id: Only jobs whose input was this PDF.
            status: Only jobs that succeeded or failed.
            operation: Only jobs of this operation.
            page_size: At most this many jobs.
        """
        return self.rows("SELECT * FROM jobs WHERE (?1 IS NULL OR asset_id = ?1) AND (?2 IS NULL OR status = ?2)"
                         " AND (?3 IS NULL OR operation = ?3) ORDER BY created_time DESC, job_id LIMIT ?4",
                         asset_id, status, operation, page_size)

    @tool(phrase=["check on {job_id}", "look up the status of {job_id}"])
    def get_job(self, job_id: str) -> Job:
        """One job's status, its input and output asset, and its message (why it failed).

        Args:
            job_id: The job's id.
        """
        return self.require("SELECT * FROM jobs WHERE job_id = ?", job_id,
                            error=f"no job with id '{job_id}'; list_jobs shows the jobs")
