"""A local HTTP server for the import tests (tests/test_import.py, tests/test_gui_import.py): on
127.0.0.1, started by the test (no internet), serving real images, redirects, errors and lies."""

from __future__ import annotations

import contextlib
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests import photo_files


def image_bytes(fmt: str, seed: int = 3) -> bytes:
    buffer = io.BytesIO()
    photo_files.picture(64, 48, seed=seed).save(buffer, fmt)
    return buffer.getvalue()


JPEG, PNG, GIF = image_bytes("JPEG"), image_bytes("PNG", 4), image_bytes("GIF", 5)
DISPOSITION = "attachment; filename*=UTF-8''Hafen%20bei%20D%C3%A4mmerung.png"
HTML = b"<!DOCTYPE html><html><body>Not found, but with a 200</body></html>"


class Server:
    """What the test's HTTP server serves, and the paths it was asked for."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.hosts: list[str] = []  # the Host header of each request
        self.release = threading.Event()  # ends a slow answer's wait at teardown
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def send(self, body: bytes, content_type: str, length: bool = True, **headers: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.hosts.append(self.headers.get("Host", ""))
                # The client gives up on a time-out or a size limit: what the test wants.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.answer()

            def answer(self) -> None:
                path = self.path
                if path == "/photos/harbour.jpg":
                    self.send(JPEG, "image/jpeg")
                elif path == "/download?id=7":
                    self.send(PNG, "image/png; charset=binary", Content_Disposition=DISPOSITION)
                elif path == "/anim.gif":
                    self.send(GIF, "image/gif")
                elif path == "/no-length.jpg":
                    self.send(JPEG, "image/jpeg", length=False)  # HTTP/1.0: the body ends with the connection
                elif path == "/go":
                    self.redirect("/photos/harbour.jpg")
                elif path == "/to-file":
                    self.redirect("file:///etc/hosts")
                elif path == "/loop":
                    self.redirect("/loop")
                elif path == "/lie.jpg":
                    self.send(HTML, "image/jpeg")
                elif path == "/page":
                    self.send(HTML, "text/html; charset=utf-8")
                elif path == "/huge.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(50 * 1024 * 1024))
                    self.end_headers()
                elif path == "/huge-no-length.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    for _ in range(40):
                        self.wfile.write(JPEG[:2] + bytes(64 * 1024))
                elif path == "/slow.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    server.release.wait(20)  # nothing more until the test ends
                elif path == "/trickle.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    for byte in JPEG:
                        if server.release.wait(0.05):
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                else:
                    self.send_error(404, "Not Found")

        return Handler

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
