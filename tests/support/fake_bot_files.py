"""Files in the fake Bot API: ``sendPhoto``, ``sendDocument``, ``getFile`` and the download
route, kept apart from the text methods (issue 10: the ``/stats`` chart, OPML import and
export).

Uploads arrive as ``multipart/form-data``; the fake keeps their bytes (`Upload`) and checks
them as Telegram would: a photo must be an image it can process (here: a well-formed PNG
with intact chunk checksums, at most 10 MB, width + height at most 10000, ratio at most
20), a document must not be empty and at most 50 MB, a caption at most 1024 characters
after entity parsing (the HTML is checked by the same parser as message texts).

Files users send to the bot are registered with `user_sends_document`: an update with a
``document`` whose ``file_id`` ``getFile`` resolves to a ``file_path``, downloadable from
``/file/bot<token>/<file_path>`` like Telegram's file server (not for other tokens).
"""

from __future__ import annotations

import copy
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Any

from support.fake_bot_methods import Params
from support.fake_bot_text import ApiError, bad_request, prepare_text

__all__ = ["FileMethods", "SentFile", "Upload", "png_size"]

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Upload:
    """One uploaded file of a multipart request."""

    filename: str
    content_type: str
    content: bytes


@dataclass
class SentFile:
    """A photo or document the bot sent successfully."""

    method: str  # sendPhoto or sendDocument
    chat_id: int
    message_id: int
    filename: str
    content: bytes
    caption: str  # as parsed (entities removed)
    caption_html: str | None
    message: dict
    time: float


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a well-formed PNG; ValueError for anything else.

    Every chunk's CRC is checked and the file must end with IEND: a truncated or
    corrupted image is refused as Telegram's image processing would refuse it.
    """
    if not data.startswith(_PNG_MAGIC):
        raise ValueError("not a PNG signature")
    offset, size, seen = len(_PNG_MAGIC), None, []
    while offset + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if len(body) != length:
            raise ValueError("truncated chunk")
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in chunk {kind!r}")
        seen.append(kind)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        offset += 12 + length
        if kind == b"IEND":
            break
    if not seen or seen[0] != b"IHDR" or seen[-1] != b"IEND" or b"IDAT" not in seen:
        raise ValueError("missing IHDR, IDAT or IEND")
    assert size is not None
    return size


class FileMethods:
    """Mixed into the fake: the file methods and the state they keep."""

    def init_files(self) -> None:
        """Called once by the fake's constructor."""
        self.sent_files: list[SentFile] = []
        self.user_files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)

    def photos(self, chat_id: int | None = None) -> list[SentFile]:
        """Photos the bot sent (optionally to one chat)."""
        return [f for f in self.sent_files if f.method == "sendPhoto"
                and (chat_id is None or f.chat_id == chat_id)]

    def documents(self, chat_id: int | None = None) -> list[SentFile]:
        """Documents the bot sent (optionally to one chat)."""
        return [f for f in self.sent_files if f.method == "sendDocument"
                and (chat_id is None or f.chat_id == chat_id)]

    # -- what a user sends ---------------------------------------------------------------------
    def user_sends_document(self, chat_id: int, filename: str, content: bytes, *,
                            mime_type: str = "application/octet-stream",
                            user_id: int | None = None, chat_type: str = "private",
                            caption: str | None = None) -> dict:
        """The user sends a file; its bytes are served by getFile and the download route."""
        document = self._file("BQACAgI", file_name=filename, mime_type=mime_type,
                              file_size=len(content))
        self.user_files[document["file_id"]] = (f"documents/file_{len(self.user_files)}"
                                                f"{_extension(filename)}", content)
        return self._media(chat_id, user_id, chat_type, "document", document, caption)

    # -- methods -----------------------------------------------------------------------------
    def m_getFile(self, p: Params) -> dict:
        file_id = p.str("file_id")
        if not file_id:
            raise bad_request("file_id is empty")
        if file_id not in self.user_files:
            raise bad_request("invalid file_id")
        path, content = self.user_files[file_id]
        if len(content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {"file_id": file_id, "file_unique_id": f"U{file_id}", "file_size": len(content),
                "file_path": path}

    def download(self, path: str) -> bytes | None:
        """The bytes behind a ``file_path`` (the download route)."""
        for file_path, content in self.user_files.values():
            if file_path == path:
                return content
        return None

    def m_sendPhoto(self, p: Params) -> dict:
        return self._send_file(p, "sendPhoto", "photo")

    def m_sendDocument(self, p: Params) -> dict:
        return self._send_file(p, "sendDocument", "document")

    def _send_file(self, p: Params, method: str, field: str) -> dict:
        chat = self.resolve_chat(p)
        upload = _upload(p, field)
        caption, caption_entities = self._caption(p)
        if field == "photo":
            if len(upload.content) > MAX_PHOTO_BYTES:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            try:
                width, height = png_size(upload.content)
            except ValueError:
                raise bad_request("IMAGE_PROCESS_FAILED") from None
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            media: Any = [{"file_id": f"AgACAgI{len(self.sent_files):08d}",
                           "file_unique_id": f"UP{len(self.sent_files)}", "width": width,
                           "height": height, "file_size": len(upload.content)}]
        else:
            if not upload.content:
                raise bad_request("file must be non-empty")
            if len(upload.content) > MAX_DOCUMENT_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            media = {"file_id": f"BQACAgI{len(self.sent_files):08d}",
                     "file_unique_id": f"UD{len(self.sent_files)}",
                     "file_name": upload.filename, "mime_type": upload.content_type,
                     "file_size": len(upload.content)}
        self.check_reachable(chat)
        message: dict[str, Any] = {"message_id": self.new_message_id(chat.id),
                                   "date": int(time.time()), "chat": chat.as_dict(),
                                   "from": self.bot_user(), field: media}
        if caption:
            message["caption"] = caption
            if caption_entities:
                message["caption_entities"] = caption_entities
        self.store_message(message)
        self.sent_files.append(SentFile(method, chat.id, message["message_id"], upload.filename,
                                        upload.content, caption, p.str("caption"),
                                        copy.deepcopy(message), time.time()))
        return message

    def _caption(self, p: Params) -> tuple[str, list[dict]]:
        raw = p.raw.get("caption")
        if raw in (None, ""):
            return "", []
        prepared = prepare_text(raw, p.str("parse_mode"),
                                p.json("caption_entities", "can't parse entities JSON object"),
                                empty="message caption is empty",
                                too_long="message caption is too long")
        self.check_caption(prepared.text)  # type: ignore[attr-defined]  # fake_bot_methods
        self.problems.extend(f"caption: {x}" for x in prepared.problems)
        return prepared.text, prepared.entities


def _upload(p: Params, field: str) -> Upload:
    value = p.raw.get(field)
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.raw.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        return value
    if value in (None, ""):
        raise bad_request(f"there is no {field} in the request")
    # A file_id or URL: the fake knows no such files.
    raise bad_request("wrong file identifier/HTTP URL specified")


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:] if dot >= 0 and len(filename) - dot <= 6 else ""
