"""Checking an uploaded file before it is stored: its type by content (never by
its name alone), its size, and its name. Used for proposals' attachments and
for the evidence of grassroots flags.

A file is accepted when its extension is allowed and its first bytes are what
that extension claims: a renamed executable, an HTML page called "x.pdf" or a
ZIP called "y.docx" without a Word document inside are refused with a code.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .problems import Problem

MSG_TOO_LARGE = gettext_noop("文件超过 {limit} MB 的上限。")
MSG_EMPTY = gettext_noop("文件是空的。")
MSG_TYPE_NOT_ALLOWED = gettext_noop("只能上传 PDF、Word（doc/docx）、OFD 或图片（png/jpg）文件。")
MSG_TYPE_MISMATCH = gettext_noop("文件内容与扩展名“.{ext}”不符，请上传真实的 {label} 文件。")
MSG_NAME = gettext_noop("文件名过长或含有不允许的字符。")

PDF, DOCX, DOC, OFD, PNG, JPEG = "application/pdf", (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), "application/msword", (
    "application/ofd"), "image/png", "image/jpeg"
# extension → (content type, label for messages)
ALLOWED = {
    "pdf": (PDF, "PDF"), "docx": (DOCX, "Word"), "doc": (DOC, "Word"), "ofd": (OFD, "OFD"),
    "png": (PNG, "PNG"), "jpg": (JPEG, "JPEG"), "jpeg": (JPEG, "JPEG"),
}


class UploadRefused(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class CheckedUpload:
    name: str
    size: int
    content_type: str
    sha256: str


def _sniff(upload) -> str | None:
    """The content type the bytes show, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(upload).namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return DOCX
        if "OFD.xml" in names:
            return OFD
    return None


def check_upload(upload, *, field: str = "file") -> CheckedUpload:
    """Raise UploadRefused (with a field, a code and a message) or describe the file."""
    limit = settings.JIANFU["UPLOAD_MAX_BYTES"]
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or len(name) > 200 or any(ord(c) < 32 for c in name):
        raise UploadRefused(Problem(field, "file_name_invalid", _(MSG_NAME)))
    if upload.size > limit:
        raise UploadRefused(Problem(field, "file_too_large", _(MSG_TOO_LARGE).format(limit=limit // 2**20)))
    if upload.size == 0:
        raise UploadRefused(Problem(field, "file_empty", _(MSG_EMPTY)))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise UploadRefused(Problem(field, "file_type_not_allowed", _(MSG_TYPE_NOT_ALLOWED)))
    expected, label = ALLOWED[ext]
    if _sniff(upload) != expected:
        raise UploadRefused(Problem(field, "file_type_mismatch",
                                    _(MSG_TYPE_MISMATCH).format(ext=ext, label=label)))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, size=upload.size, content_type=expected, sha256=digest.hexdigest())
