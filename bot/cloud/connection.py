"""Tencent Cloud SDK clients built from the settings, and the one way EKS Doctor calls them.

Every call goes through `CloudApi.call`: read-only actions only, a bounded timeout, a bounded retry
with backoff when throttled, errors mapped to one line, and after an outage no further call in the
same read (one timeout per report, not one per action). The SDK is imported on first use, so the
CLI starts without it.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.cloud.actions import PRODUCTS, cam_action, is_allowed
from bot.cloud.errors import CloudUnreachableError, is_throttled, map_sdk_error
from bot.errors import ConfigError, RefusedError

ENDPOINT_VARIABLE = "EKS_DOCTOR_TENCENTCLOUD_ENDPOINT"
SDK_LOGGER = "tencentcloud_sdk_common"
DEFAULT_TIMEOUT = 10.0
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF = 0.5


@dataclass(frozen=True, slots=True)
class Endpoint:
    scheme: str
    host: str  # host:port

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"


def parse_endpoint(value: str | None) -> Endpoint | None:
    """`scheme://host:port` from EKS_DOCTOR_TENCENTCLOUD_ENDPOINT; None means the public endpoints."""
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigError(f"{ENDPOINT_VARIABLE}={value!r}: expected scheme://host:port, e.g. https://10.0.0.5:443")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ConfigError(f"{ENDPOINT_VARIABLE}={value!r}: the port is not a number") from None
    return Endpoint(parts.scheme, parts.netloc)


def _quiet_sdk_logger() -> None:
    # The SDK logs whole requests (the Authorization header included) at debug level: never make them,
    # whatever level the rest of the process logs at.
    sdk = logging.getLogger(SDK_LOGGER)
    sdk.setLevel(logging.WARNING)
    sdk.propagate = False


class CloudApi:
    """Read-only access to the Tencent Cloud API for one region with one set of credentials."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        region: str,
        endpoint: Endpoint | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._secret = (secret_id, secret_key)
        self.region = region
        self.endpoint = endpoint
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._sleep = sleep
        self._clients: dict[str, Any] = {}
        self._outage: CloudUnreachableError | None = None
        #: Every action called, in order, as CAM names it (for selfcheck and tests).
        self.called: list[str] = []

    def __repr__(self) -> str:  # never show the credentials
        return f"CloudApi(region={self.region!r}, endpoint={self.host()!r})"

    def host(self, product: str = "vpc") -> str:
        return self.endpoint.host if self.endpoint else f"{product}.tencentcloudapi.com"

    def call(self, product: str, action: str, params: dict[str, Any]) -> Any:
        """The SDK's response model for one read-only action; raises a mapped EksDoctorError."""
        name = cam_action(product, action)
        if not is_allowed(product, action):
            raise RefusedError(f"{name} is not one of the read-only actions EKS Doctor may call")
        if self._outage is not None:
            raise self._outage
        module, client = self._client(product)
        request = getattr(module.models, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        for attempt in range(self.attempts):
            self.called.append(name)
            try:
                return getattr(client, action)(request)
            except TencentCloudSDKException as exc:
                code = str(exc.code or "")
                if is_throttled(code) and attempt + 1 < self.attempts:
                    self._sleep(self.backoff * 2**attempt)
                    continue
                error = map_sdk_error(exc, action=name, host=self.host(product), timeout=self.timeout)
            if isinstance(error, CloudUnreachableError):
                self._outage = error
            raise error
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns or raises

    def forget_outage(self) -> None:
        self._outage = None

    def _client(self, product: str) -> tuple[Any, Any]:
        if product not in self._clients:
            self._clients[product] = self._build(product)
        return self._clients[product]

    def _build(self, product: str) -> tuple[Any, Any]:
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile

        _quiet_sdk_logger()
        package, class_name = PRODUCTS[product]
        module = importlib.import_module(package)
        importlib.import_module(f"{package}.models")
        client_module = importlib.import_module(f"{package}.{product}_client")
        try:
            cred = credential.Credential(*self._secret)
        except TencentCloudSDKException as exc:
            raise ConfigError(f"TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY: {exc.message}") from None
        http = HttpProfile(
            protocol=self.endpoint.scheme if self.endpoint else None,
            endpoint=self.endpoint.host if self.endpoint else None,
            reqTimeout=self.timeout,
        )
        profile = ClientProfile(httpProfile=http, language="en-US")
        return module, getattr(client_module, class_name)(cred, self.region, profile)
