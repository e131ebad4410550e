"""Separate network hosts on one machine, for a test: network namespaces joined to
this one by veth links (iproute2; needs root).

Each host has a /30 of its own: the machine's end of the link (`gateway`) and
the host's (`address`). A program run on the host (`Host.run`) sees only its
own loopback and that link, as a program on another machine would; the
machine's loopback services are out of its reach. The namespaces and links
are removed when the block ends, whatever happened inside it.
"""

import ipaddress
import os
import shutil
import signal
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass

PREFIX = "jfz"  # namespace and link names: jfz<pid of the test run>h<n> (p: the probe)
SUBNETS = ipaddress.ip_network("10.213.0.0/16")


@dataclass
class Host:
    name: str
    address: str
    gateway: str

    @property
    def run(self) -> tuple[str, ...]:
        """The command prefix that runs a program on this host."""
        return ("ip", "netns", "exec", self.name)


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if os.geteuid() != 0:
        return "not root"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    probe = f"{PREFIX}{os.getpid()}p"
    try:
        _ip("netns", "add", probe)
    except subprocess.CalledProcessError as error:
        return f"`ip netns add` failed: {error.stderr.strip()}"
    try:
        _ip("link", "add", probe, "type", "veth", "peer", "name", "eth0", "netns", probe)
    except subprocess.CalledProcessError as error:
        return f"no veth link into a namespace: {error.stderr.strip()}"
    finally:
        _remove(probe)
    return None


def namespace_of(pid: int) -> str:
    """The name of the namespace a process runs in ('' for this machine's)."""
    return _ip("netns", "identify", str(pid)).strip()


@contextmanager
def hosts(count: int):
    """`count` hosts, each with its own namespace and link, until the block ends."""
    _remove_stale()
    made = []
    try:
        for n, subnet in enumerate(_free_subnets(count)):
            gateway, address = (str(ip) for ip in subnet.hosts())
            host = Host(name=f"{PREFIX}{os.getpid()}h{n}", address=address, gateway=gateway)
            _ip("netns", "add", host.name)
            made.append(host)
            _link(host, subnet.prefixlen)
        yield made
    finally:
        for host in made:
            _remove(host.name)


def _link(host: Host, prefixlen: int) -> None:
    # The link is named after the host on this side and eth0 on the host's side.
    _ip("link", "add", host.name, "type", "veth", "peer", "name", "eth0", "netns", host.name)
    _ip("addr", "add", f"{host.gateway}/{prefixlen}", "dev", host.name)
    _ip("link", "set", host.name, "up")
    _ip("-n", host.name, "addr", "add", f"{host.address}/{prefixlen}", "dev", "eth0")
    _ip("-n", host.name, "link", "set", "eth0", "up")
    _ip("-n", host.name, "link", "set", "lo", "up")


def _remove(name: str) -> None:
    """Stop what still runs on the host (only what this test run started there),
    then delete the namespace; its link goes with it."""
    try:
        for pid in _ip("netns", "pids", name).split():
            os.kill(int(pid), signal.SIGKILL)
    except (subprocess.CalledProcessError, ProcessLookupError):
        pass
    for command in (("link", "del", name), ("netns", "del", name)):
        try:
            _ip(*command)
        except subprocess.CalledProcessError:
            pass  # the link went with the namespace, or was never made


def _remove_stale() -> None:
    """Hosts left by a test run that was killed before it could clean up."""
    for line in _ip("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        pid = name[len(PREFIX):].rstrip("p").partition("h")[0]
        if name.startswith(PREFIX) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            _remove(name)


def _free_subnets(count: int) -> list[ipaddress.IPv4Network]:
    """`count` /30s that no interface here uses, starting at a place the pid picks
    (two test runs at once take different ones)."""
    used = [ipaddress.ip_interface(word).ip for line in _ip("-o", "-4", "addr", "show").splitlines()
            for word in line.split() if "/" in word and word[0].isdigit()]
    subnets = list(SUBNETS.subnets(new_prefix=30))
    start = os.getpid() * count % len(subnets)
    free = [s for s in subnets[start:] + subnets[:start] if not any(ip in s for ip in used)]
    return free[:count]


def _ip(*args: str) -> str:
    return subprocess.run(["ip", *args], check=True, capture_output=True, text=True).stdout
