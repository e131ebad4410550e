"""A TCP relay that a test starts and stops: it accepts on one address and pipes
each connection to a target.

The multi-host test gives each app host (a network namespace) a route to the
database this way: PostgreSQL listens on loopback only, so a relay on the
machine's end of the host's link forwards to it, and nothing about the
server's own configuration changes.

    python -m tests.tcp_relay LISTEN_HOST TARGET_HOST TARGET_PORT

prints the port it listens on, then relays until it is terminated.
"""

import asyncio
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def relay(*, listen: str, target: tuple[str, int]):
    """A relay process from `listen` (any free port) to `target`, for the block;
    yields the port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.tcp_relay", listen, target[0], str(target[1])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"the relay did not start: {line}{process.stderr.read()}")
        yield int(line)
    finally:
        process.kill()
        process.wait()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def _serve(listen_host: str, target_host: str, target_port: int) -> None:
    async def forward(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(target_host, target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))

    server = await asyncio.start_server(forward, listen_host, 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2], int(sys.argv[3])))
