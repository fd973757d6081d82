"""A local ProConnect look-alike: a real OpenID Connect server on 127.0.0.1, in a thread.

It serves the discovery document, a JWKS, /authorize (remembers the nonce, redirects back with a
code), /token (an RS256 ID token carrying that nonce) and /userinfo (an RS256-signed JWT, served as
application/jwt). Attributes let a test make it misbehave: `id_token_nonce` replaces the nonce put in
the ID token, `id_token_key` / `userinfo_key` sign the ID token / userinfo JWT with another key.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "fake-proconnect-key"


def generate_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOIDCServer:
    def __init__(self, *, client_id, client_secret, claims):
        self.client_id = client_id
        self.client_secret = client_secret
        self.claims = claims
        self.key = generate_key()
        self.id_token_nonce = None
        self.id_token_key = None
        self.userinfo_key = None
        self.codes = {}  # code -> nonce received at /authorize
        self.access_tokens = set()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/api/v2"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def discovery(self):
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/session/end",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self):
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def sign(self, payload, key=None):
        now = int(time.time())
        payload = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 60, **payload}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": KID})


def _handler_for(server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            path = url.path.removeprefix("/api/v2")
            if path == "/.well-known/openid-configuration":
                self._send(200, "application/json", json.dumps(server.discovery()))
            elif path == "/jwks":
                self._send(200, "application/json", json.dumps(server.jwks()))
            elif path == "/authorize":
                self._authorize(query)
            elif path == "/userinfo":
                self._userinfo()
            else:
                self._send(404, "text/plain", "not found")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            if urlsplit(self.path).path.removeprefix("/api/v2") == "/token":
                self._token(form)
            else:
                self._send(404, "text/plain", "not found")

        def _authorize(self, query):
            if query.get("client_id") != server.client_id or query.get("response_type") != "code":
                return self._send(400, "text/plain", "bad authorization request")
            code = secrets.token_urlsafe(16)
            server.codes[code] = query.get("nonce")
            location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            self.send_response(302)
            self.send_header("Location", location)
            self.end_headers()

        def _token(self, form):
            if (form.get("client_id"), form.get("client_secret")) != (server.client_id, server.client_secret):
                return self._send(401, "application/json", json.dumps({"error": "invalid_client"}))
            if form.get("code") not in server.codes:
                return self._send(400, "application/json", json.dumps({"error": "invalid_grant"}))
            nonce = server.codes.pop(form["code"])
            access_token = secrets.token_urlsafe(16)
            server.access_tokens.add(access_token)
            id_token = server.sign(
                {"sub": server.claims["sub"], "nonce": server.id_token_nonce or nonce, "acr": "eidas1"},
                key=server.id_token_key,
            )
            payload = {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": id_token,
            }
            self._send(200, "application/json", json.dumps(payload))

        def _userinfo(self):
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in server.access_tokens:
                return self._send(401, "application/json", json.dumps({"error": "invalid_token"}))
            self._send(200, "application/jwt", server.sign(server.claims, key=server.userinfo_key))

        def _send(self, status, content_type, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
