"""Upload bombs are refused before any parser inflates them (issue 11, item 3).

The probe's 300 KB XLSX holding one 300 MB inline string made the region's list upload time out
(+1.5–3 GB), the people import take 26–50 s (+350 MB), and a DOCX template bomb gave a 500. The bombs
are built here, in memory, the same way; each must be refused with a Russian message, a 4xx, nothing
written, in well under a second (asserted loosely: < 5 s, the figures are printed).
"""

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from defusedxml import EntitiesForbidden
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from docx import Document
from openpyxl import Workbook

from core.consents.models import Consent
from core.people.models import Category, Person
from regional.models import ReportTemplate
from tenants.catalogues import DocumentTemplate
from tenants.importing import MAX_CELL_CHARS, MAX_ROWS, SCHOOL_COLUMNS, rows_read
from tenants.models import OnboardingBatch
from tenants.uploads import XLSX_LIMITS, ZipLimits, zip_bomb_check

pytestmark = pytest.mark.django_db

BOMB_BYTES = 300 * 1024 * 1024  # what the probe used
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)


def _xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Deflated:
    """A member given already compressed: 300 MB of «A» is built in a fraction of a second."""

    data: bytes
    crc: int
    size: int


def _huge(head: bytes, size: int, tail: bytes) -> Deflated:
    # After a full flush the compressor forgets what came before, so one compressed chunk can be repeated.
    chunk = b"A" * (4 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = size // len(chunk)
    data += block * repeat + compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(chunk, crc)
    return Deflated(data, zlib.crc32(tail, crc), len(head) + repeat * len(chunk) + len(tail))


def _replace_member(package: bytes, name: str, body: "bytes | Deflated") -> bytes:
    """The same package with one member replaced; the zip is written by hand so a Deflated member fits."""
    source = zipfile.ZipFile(io.BytesIO(package))
    members: dict[str, bytes | Deflated] = {
        item.filename: source.read(item.filename) for item in source.infolist()
    }
    members[name] = body
    out, central = io.BytesIO(), io.BytesIO()
    for filename, content in members.items():
        if isinstance(content, Deflated):
            packed = content
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = Deflated(
                compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content)
            )
        encoded = filename.encode()
        fields = struct.pack(
            "<HHHHHIIIHH", 20, 0, 8, 0, 0x21, packed.crc, len(packed.data), packed.size, len(encoded), 0
        )
        central.write(
            struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, out.tell())
        )
        central.write(encoded)
        out.write(struct.pack("<I", 0x04034B50) + fields + encoded + packed.data)
    offset, directory = out.tell(), central.getvalue()
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def inline_string_bomb() -> bytes:
    """A valid XLSX (the people list's header) whose first data cell is one 300 MB inline string."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(["Фамилия", "Имя", "Категория"])
    ).encode()
    head = SHEET_HEAD + b'<row r="1">' + header + b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    bomb = _replace_member(_xlsx([["x"]]), "xl/worksheets/sheet1.xml", _huge(head, BOMB_BYTES, tail))
    assert len(bomb) < 1024 * 1024  # a small file, as in the probe
    return bomb


SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _with_shared_strings(sst: "bytes | Deflated") -> bytes:
    """An XLSX whose A1 is shared string 0 of the table ``sst``.

    openpyxl itself writes inline strings; Excel writes a shared-string table, declared in the content types.
    """
    package = _xlsx([["x"]])
    types = zipfile.ZipFile(io.BytesIO(package)).read("[Content_Types].xml")
    types = types.replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'"/></Types>'
    )
    package = _replace_member(package, "[Content_Types].xml", types)
    sheet = SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    package = _replace_member(package, "xl/worksheets/sheet1.xml", sheet)
    return _replace_member(package, "xl/sharedStrings.xml", sst)


SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
)


@pytest.fixture(scope="module")
def shared_strings_bomb() -> bytes:
    return _with_shared_strings(_huge(SST_HEAD, BOMB_BYTES, b"</t></si></sst>"))


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    doc = Document()
    doc.add_paragraph("{{ school.name }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
        b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    )
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    return _replace_member(buffer.getvalue(), "word/document.xml", _huge(head, BOMB_BYTES, tail))


@contextmanager
def _timed() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        print(f"refused in {elapsed * 1000:.0f} ms")  # the figure for the README
        assert elapsed < 5


# --- the helper ---------------------------------------------------------------------------------------


def test_the_zip_check_reads_only_the_central_directory(inline_string_bomb):
    with pytest.raises(ValidationError) as refused, _timed():
        zip_bomb_check(io.BytesIO(inline_string_bomb), limits=XLSX_LIMITS)
    assert "zip-бомб" in refused.value.messages[0]
    # A member well within the ratio but over the total is refused too, and so are too many members.
    with pytest.raises(ValidationError, match="распаковывается больше чем в 1 МБ"):
        zip_bomb_check(io.BytesIO(_xlsx([["x"] * 50] * 4000)), limits=ZipLimits(max_total=1024 * 1024))
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(30):
            archive.writestr(f"part{i}.xml", b"<a/>")
    with pytest.raises(ValidationError, match="слишком много частей"):
        zip_bomb_check(many, limits=ZipLimits(max_total=10**6, max_members=20))
    zip_bomb_check(io.BytesIO(_xlsx([["Фамилия"], ["Иванова"]])), limits=XLSX_LIMITS)  # a normal file passes


def test_openpyxl_reads_through_defusedxml_and_an_entity_bomb_is_refused():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True
    entities = b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + entities + b"]>"
        + SST_HEAD.split(b"?>", 1)[1] + b"&lol9;</t></si></sst>"
    )  # fmt: skip
    package = _with_shared_strings(laughs)
    # Without defusedxml this is a billion «lol»s; the sane package around it shows the parser was reached.
    assert zipfile.ZipFile(io.BytesIO(package)).getinfo("xl/sharedStrings.xml").file_size < 2000
    with pytest.raises(ValidationError, match="повреждён или это не XLSX") as refused, _timed():
        rows_read(content=package, file_name="x.xlsx", columns=SCHOOL_COLUMNS)
    chain, error = [], refused.value.__cause__
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, EntitiesForbidden) for e in chain)  # defusedxml stopped it, not a broken zip


# --- the region's school list -------------------------------------------------------------------------


def test_the_school_list_bomb_is_refused_on_the_page_and_in_the_api(host_client, world, inline_string_bomb):
    admin = host_client(None, world.regional_admin)
    with _timed():
        page = admin.post(
            "/schools/import/", {"file": SimpleUploadedFile("schools.xlsx", inline_string_bomb)}
        )
    assert page.status_code == 400 and "zip-бомб" in page.content.decode()
    with _timed():
        api = admin.post(
            "/api/v1/onboarding-batches/", {"file": SimpleUploadedFile("schools.xlsx", inline_string_bomb)}
        )
    assert api.status_code == 400 and "zip-бомб" in api.content.decode()
    assert not OnboardingBatch.objects.exists()


def test_a_shared_strings_bomb_is_refused(host_client, world, shared_strings_bomb):
    with _timed():
        page = host_client(None, world.regional_admin).post(
            "/schools/import/", {"file": SimpleUploadedFile("schools.xlsx", shared_strings_bomb)}
        )
    assert page.status_code == 400 and "zip-бомб" in page.content.decode()
    assert not OnboardingBatch.objects.exists()


# --- the people import --------------------------------------------------------------------------------


def test_the_people_import_bomb_is_refused_and_nothing_is_kept(host_client, world, inline_string_bomb):
    client = host_client(world.school_a, world.curator_a)
    with _timed():
        response = client.post(
            "/people/import/", {"file": SimpleUploadedFile("people.xlsx", inline_string_bomb)}
        )
    assert response.status_code == 400 and "zip-бомб" in response.content.decode()
    assert "people_import" not in client.session  # no preview to confirm
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.exists()


def test_a_long_cell_and_too_many_rows_are_refused_while_reading(host_client, world):
    client = host_client(world.school_a, world.curator_a)
    header: list[str | None] = ["Фамилия", "Имя", "Категория"]
    long_cell = _xlsx([header, ["Я" * (MAX_CELL_CHARS + 1), "Анна", "педагог"]])
    response = client.post("/people/import/", {"file": SimpleUploadedFile("people.xlsx", long_cell)})
    assert response.status_code == 400 and f"больше {MAX_CELL_CHARS} знаков" in response.content.decode()
    # 3,000 rows, 3,000 empty ones, 3,000 more: all 6,000 are counted, none silently dropped.
    rows: list[list[str | None]] = [header]
    rows += [[f"Иванова{i}", "Анна", "педагог"] for i in range(3000)]
    rows += [[None, None, None] for _ in range(3000)]
    rows += [[f"Петрова{i}", "Анна", "педагог"] for i in range(3000)]
    for content in (_xlsx(rows), "\n".join(";".join(c or "" for c in r) for r in rows).encode()):
        response = client.post("/people/import/", {"file": SimpleUploadedFile("people.csv", content)})
        assert response.status_code == 400
        assert f"Не больше {MAX_ROWS} строк" in response.content.decode()
    with schema_context(world.school_a.schema_name):
        assert not Person.objects.exists()


# --- templates ----------------------------------------------------------------------------------------


def test_a_docx_template_bomb_is_a_400_not_a_500(host_client, world, docx_bomb):
    with _timed():
        response = host_client(None, world.regional_admin).post(
            "/document-templates/", {"kind": "consent", "file": SimpleUploadedFile("t.docx", docx_bomb)}
        )
    assert response.status_code == 400 and "zip-бомб" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_an_xlsx_report_template_bomb_is_refused_and_not_stored(host_client, world, inline_string_bomb):
    with _timed():
        response = host_client(None, world.regional_admin).post(
            "/reports/templates/",
            {"title": "Форма", "file": SimpleUploadedFile("form.xlsx", inline_string_bomb)},
            follow=True,
        )
    assert response.status_code == 200 and "zip-бомб" in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_a_stored_docx_bomb_makes_the_consent_form_a_400(host_client, world, docx_bomb):
    DocumentTemplate.objects.create(kind="consent", file=ContentFile(docx_bomb, name="consent.docx"))
    with schema_context(world.school_a.schema_name):
        person = Person.objects.create(last_name="Фёдорова", first_name="Алёна", category=Category.TEACHER)
        consent = Consent.objects.create(
            person=person, kind=Consent.Kind.PARTICIPATION, valid_from=date(2026, 9, 1)
        )
    with _timed():
        response = host_client(world.school_a, world.curator_a).get(f"/consents/{consent.pk}/document.docx")
    assert response.status_code == 400
