"""A TCP proxy a test can cut and restore, to play a database outage on loopback."""

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from devtools import free_port

CHUNK = 64 * 1024


class TcpProxy:
    """Forwards 127.0.0.1:`port` to a target. `cut()` drops every open connection and
    refuses new ones, as a dead network path would; `stall()` keeps every connection open but
    passes nothing on, in either direction, and new ones get no answer, as a network that
    silently drops packets would (`stall(replies_only=True)`: what the client sends still
    arrives, only the answers are lost); `restore()` undoes either (listening again on the
    same port). It runs its own event loop in a thread, so blocking test code can't stall it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._requests_flow = asyncio.Event()
        self._replies_flow = asyncio.Event()

    @classmethod
    @contextmanager
    def running(cls, target_host: str, target_port: int) -> Iterator["TcpProxy"]:
        proxy = cls(target_host, target_port)
        proxy._thread.start()
        proxy.restore()
        try:
            yield proxy
        finally:
            proxy.cut()
            proxy._loop.call_soon_threadsafe(proxy._loop.stop)
            proxy._thread.join(timeout=5)

    def cut(self) -> None:
        self._run(self._cut())

    def stall(self, *, replies_only: bool = False) -> None:
        self._run(self._stall(replies_only))

    def restore(self) -> None:
        self._run(self._listen())

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self._requests_flow.set()
        self._replies_flow.set()

    async def _stall(self, replies_only: bool) -> None:
        self._replies_flow.clear()
        if not replies_only:
            self._requests_flow.clear()

    async def _cut(self) -> None:
        if self._server:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()  # a reset, not a polite close: the peer sees an error

    async def _accept(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        self._open.add(client)
        await self._requests_flow.wait()
        await self._replies_flow.wait()
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            self._open.discard(client)
            return
        self._open |= {client, upstream}
        try:
            await asyncio.gather(
                self._pipe(client_reader, upstream, self._requests_flow),
                self._pipe(upstream_reader, client, self._replies_flow),
            )
        finally:
            self._open -= {client, upstream}

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, flowing: asyncio.Event
    ) -> None:
        with suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                await flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.close()  # pass the end of the stream on to the other side
