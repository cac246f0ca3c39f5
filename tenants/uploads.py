"""Uploaded files: only PDF, DOCX, JPG and PNG, told by their content rather than their name.

Schools, the region and onboarding all check uploads here, so it lives in the platform app that every layer
may import.

Archives that are parsed on the server (XLSX lists and templates, DOCX templates) are also checked for
what they unpack to before any parser sees them (``zip_bomb_check``).
"""

import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "jpg": "image/jpeg",
    "png": "image/png",
}


@dataclass(frozen=True)
class CheckedUpload:
    extension: str
    content_type: str
    size: int


def upload_check(upload: UploadedFile) -> CheckedUpload:
    if upload.size is None or upload.size == 0:
        raise ValidationError("Файл пустой.", code="empty_file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("Файл больше 10 МБ.", code="file_too_large")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None and head.startswith(b"%PDF-"):
        extension = "pdf"
    else:
        extension = kind.extension if kind is not None else ""
    if extension == "jpeg":
        extension = "jpg"
    if extension not in ALLOWED:
        raise ValidationError(
            "Можно загрузить только PDF, DOCX, JPG или PNG: содержимое файла не похоже ни на один из них.",
            code="file_type",
        )
    claimed = (upload.name or "").rsplit(".", 1)[-1].lower()
    if claimed in ("jpeg",):
        claimed = "jpg"
    if claimed and claimed in ALLOWED and claimed != extension:
        raise ValidationError(
            f"Расширение «.{claimed}» не совпадает с содержимым файла ({extension.upper()}).",
            code="file_mismatch",
        )
    return CheckedUpload(extension=extension, content_type=ALLOWED[extension], size=upload.size)


# --- archives (XLSX, DOCX) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """What an OOXML package may unpack to. A file over any limit is refused before it is parsed."""

    max_total: int  # bytes, all members uncompressed
    max_ratio: int = 100  # uncompressed / compressed, for members bigger than ``ratio_from``
    ratio_from: int = 1024 * 1024  # small members (styles, themes) may compress very well and harm nobody
    max_members: int = 2000
    label: str = "файл"


# Measured: a 5,000-row people list written by openpyxl unpacks to 3.8 MB (its sheet compresses 16 times),
# a built-in DOCX template to 0.8 MB (ratio 32, in a member under 1 MB). Apache POI, which reads such files
# for a living, refuses ratios above 100 by default; so do we, for members over 1 MB.
XLSX_LIMITS = ZipLimits(max_total=30 * 1024 * 1024, label="XLSX")
DOCX_LIMITS = ZipLimits(max_total=40 * 1024 * 1024, label="DOCX")


def zip_bomb_check(file: IO[bytes], *, limits: ZipLimits) -> None:
    """Refuse an archive that would unpack to too much, reading only its central directory.

    Python's zipfile (used by openpyxl and python-docx) stops each member at the size the central
    directory declares and then fails its CRC check, so the declared sizes checked here are the most any
    reader will inflate: a member cannot lie its way past this check.
    """
    position = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ValidationError(f"Файл повреждён или это не {limits.label}.", code="broken_file") from error
    finally:
        file.seek(position)
    if len(members) > limits.max_members:
        raise ValidationError(
            f"В файле {limits.label} слишком много частей ({len(members)}): так не бывает у обычного документа.",
            code="zip_bomb",
        )
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_from and ratio > limits.max_ratio:
            raise ValidationError(
                f"Файл {limits.label} распаковывается в {member.file_size // 1024 // 1024} МБ из "
                f"{max(member.compress_size // 1024, 1)} КБ (сжатие в {int(ratio)} раз): похоже на "
                "«zip-бомбу», такой файл не принимается.",
                code="zip_bomb",
            )
    if total > limits.max_total:
        raise ValidationError(
            f"Файл {limits.label} распаковывается больше чем в {limits.max_total // 1024 // 1024} МБ: "
            "разбейте его на части или уберите лишнее (картинки, пустые строки).",
            code="zip_too_large",
        )
