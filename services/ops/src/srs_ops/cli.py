"""``srs`` - the operators' command line, talking to the ops API.

    srs events tail [--type T] [--subject S] [--correlation-id C] [--after ID] [--count N]
    srs lag [--group G]
    srs dlq list [--state open] [--consumer access]
    srs dlq replay ID [ID...] | --all-open  --reason "why"

The API address comes from ``--url`` or ``SRS_OPS_URL`` (default http://127.0.0.1:8006),
the token from ``--token`` or ``SRS_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

console = Console()


def _client(args: argparse.Namespace) -> httpx.Client:
    if not args.token:
        raise SystemExit("no token: pass --token or set SRS_TOKEN (role ops or support)")
    return httpx.Client(
        base_url=args.url,
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=httpx.Timeout(10.0, read=None),
    )


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            problem = response.json()
            message = problem.get("detail") or problem.get("title")
        except ValueError:
            message = response.text
        raise SystemExit(f"error {response.status_code}: {message}")
    return response.json()


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The ``data`` of each ``ops.event`` in a Server-Sent Events stream."""
    kind: str | None = None
    data: list[str] = []
    for line in lines:
        if line == "":
            if kind == "ops.event" and data:
                yield json.loads("\n".join(data))
            kind, data = None, []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def events_tail(args: argparse.Namespace) -> None:
    params = {
        k: v
        for k, v in {
            "type": args.type,
            "subject": args.subject,
            "correlation_id": args.correlation_id,
            "after": args.after,
        }.items()
        if v is not None
    }
    remaining = args.count
    with _client(args) as client, client.stream("GET", "/v1/events/stream", params=params) as r:
        if r.status_code >= 400:
            r.read()
            _check(r)
        for event in sse_events(r.iter_lines()):
            console.print(
                f"[dim]{event['time']}[/] [bold]{event['type']}[/] "
                f"{event['subject'] or '-'} [cyan]{event['source']}[/] "
                f"corr={event['correlation_id'] or '-'}"
            )
            if remaining is not None:
                remaining -= 1
                if remaining <= 0:
                    return


def lag(args: argparse.Namespace) -> None:
    with _client(args) as client:
        rows = _check(client.get("/v1/lag", params={"group": args.group} if args.group else {}))
    table = Table("group", "topic", "partition", "end offset", "committed", "lag")
    for r in rows:
        table.add_row(
            r["group"],
            r["topic"],
            str(r["partition"]),
            str(r["end_offset"]),
            str(r["committed_offset"]),
            str(r["lag"]),
        )
    console.print(table)


def dlq_list(args: argparse.Namespace) -> None:
    params = {
        k: v for k, v in {"state": args.state, "consumer": args.consumer, "limit": 200}.items() if v
    }
    with _client(args) as client:
        page = _check(client.get("/v1/dead-letters", params=params))
    table = Table("id", "consumer", "reason", "type", "subject", "origin", "state")
    for d in page["items"]:
        table.add_row(
            str(d["id"]),
            d["consumer"],
            d["reason"],
            d["event_type"] or "-",
            d["subject"] or "-",
            f"{d['origin_topic']}[{d['origin_partition']}]@{d['origin_offset']}",
            d["state"],
        )
    console.print(table)


def dlq_replay(args: argparse.Namespace) -> None:
    with _client(args) as client:
        ids = list(args.ids)
        if args.all_open:
            params: dict[str, Any] = {"state": "open", "limit": 200}
            if args.consumer:
                params["consumer"] = args.consumer
            ids += [d["id"] for d in _check(client.get("/v1/dead-letters", params=params))["items"]]
        if not ids:
            raise SystemExit("nothing to replay: give dead-letter ids or --all-open")
        failures = 0
        # Oldest first: a key's dead letters must go back in their original order.
        with Progress(console=console) as progress:
            task = progress.add_task("replaying", total=len(ids))
            for dead_letter_id in sorted(ids):
                r = client.post(
                    f"/v1/dead-letters/{dead_letter_id}/replay", json={"reason": args.reason}
                )
                if r.status_code >= 400:
                    failures += 1
                    progress.console.print(
                        f"#{dead_letter_id}: {r.status_code} {r.json().get('detail', '')}"
                    )
                progress.advance(task)
        console.print(f"replayed {len(ids) - failures} of {len(ids)}")
        if failures:
            raise SystemExit(1)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="srs", description="SRS operations command line")
    p.add_argument("--url", default=os.environ.get("SRS_OPS_URL", "http://127.0.0.1:8006"))
    p.add_argument("--token", default=os.environ.get("SRS_TOKEN"))
    sub = p.add_subparsers(dest="command", required=True)
    events = sub.add_parser("events", help="the event stream").add_subparsers(
        dest="events_command", required=True
    )
    tail = events.add_parser("tail", help="follow events live")
    tail.add_argument("--type")
    tail.add_argument("--subject")
    tail.add_argument("--correlation-id")
    tail.add_argument("--after", type=int, help="start after this store id (0: from the start)")
    tail.add_argument("--count", type=int, help="stop after this many events")
    tail.set_defaults(func=events_tail)
    lag_p = sub.add_parser("lag", help="consumer lag per group, topic and partition")
    lag_p.add_argument("--group")
    lag_p.set_defaults(func=lag)
    dlq = sub.add_parser("dlq", help="dead letters").add_subparsers(
        dest="dlq_command", required=True
    )
    ls = dlq.add_parser("list", help="list dead letters")
    ls.add_argument("--state", choices=["open", "replayed", "discarded"])
    ls.add_argument("--consumer")
    ls.set_defaults(func=dlq_list)
    replay = dlq.add_parser("replay", help="replay dead letters to their origin topics")
    replay.add_argument("ids", nargs="*", type=int)
    replay.add_argument("--all-open", action="store_true")
    replay.add_argument("--consumer")
    replay.add_argument("--reason", required=True)
    replay.set_defaults(func=dlq_replay)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except httpx.HTTPError as exc:
        raise SystemExit(f"cannot reach the ops API at {args.url}: {exc}") from None
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
