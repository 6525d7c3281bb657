"""A real SMTP server for the notification tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py DIR. Listens on a free loopback port and prints it on the first line of
standard output. Each message received becomes DIR/N.json (written whole, then renamed):
the envelope, the raw message as received, and what Python's e-mail parser reads from it
(decoded subject and body, headers, defects), so the test checks both the bytes and that a
standard parser understands them.
"""
import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw": raw.decode("ascii", errors="replace"),
            "eight_bit": any(b >= 0x80 for b in raw),
            "headers": {k: str(v) for k, v in msg.items()},
            "subject": str(msg["subject"]),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
            "defects": [type(d).__name__ for d in msg.defects],
        }
        self.count += 1
        path = os.path.join(self.directory, "%d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 OK"


def main():
    loop = asyncio.new_event_loop()
    sink = Sink(sys.argv[1])
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(sink), host="127.0.0.1", port=0))
    print(server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
