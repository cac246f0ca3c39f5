"""The filesystem broker, made safe against broken message files.

kombu's filesystem transport moves a message file out of the queue folder and parses it; a file that does
not parse (zero length, truncated, not JSON) raises out of the worker's consume loop and the worker dies —
and, on a restart, dies again on the next such file. Here:

- the writer writes to a temporary name and renames it into the queue folder, so no reader ever sees a
  message file half written (kombu creates the file, then locks it: a reader could take it empty);
- the reader also takes a shared lock on the file before reading it: a writer (kombu's ``_put``) holds an
  exclusive lock while writing, so a message caught mid-write is read whole once the writer is done;
- a file that still does not parse is moved aside to ``broken/`` beside the queue folder, logged, and the
  next message is read. The worker keeps running.

Installed by ``install()`` (config.celery): the ``filesystem://`` scheme then resolves to this transport.
"""

import fcntl
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # never matches «*.<queue>.msg»
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(message)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _broken_folder(self) -> Path:
        folder = Path(self.data_folder_in).parent / "broken"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        queue_find = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != queue_find:
                continue
            processed = self.processed_folder if self.store_processed else tempfile.gettempdir()
            try:
                shutil.move(os.path.join(self.data_folder_in, filename), processed)
            except OSError:
                continue  # taken by another consumer meanwhile
            path = os.path.join(processed, filename)
            try:
                with open(path, "rb", buffering=0) as f:
                    fcntl.flock(f.fileno(), fcntl.LOCK_SH)  # waits for a writer still writing it
                    payload = f.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {path!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
                if not isinstance(message, dict):
                    raise ValueError("not a message object")
            except ValueError:
                aside = self._broken_folder() / filename
                shutil.move(path, aside)
                logger.error("Broken broker message (%d bytes) moved aside to %s", len(payload), aside)
                continue
            if not self.store_processed:
                os.remove(path)
            return message
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"
