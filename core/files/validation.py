"""Uploaded files: only PDF, DOCX, JPG and PNG, told by their content rather than their name."""

from dataclasses import dataclass

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
