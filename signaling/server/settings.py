"""The server's settings: one pydantic-settings model read from four places.

Sources, highest first: explicit keyword arguments (the CLI's flags) > ``CLASSBRIDGE_*``
environment variables (nested with ``__``: ``CLASSBRIDGE_ICE__PUBLIC_ADDRESS``) > the YAML
config file (``--config FILE`` or ``CLASSBRIDGE_CONFIG_FILE``) > defaults. `Settings.load`
turns a validation failure into one `SettingsError` naming every bad field and its source.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, Literal

import ifaddr
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings import SettingsError as LibrarySettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from signaling.errors import SettingsError
from signaling.server.attendance_settings import AttendanceSettings

ENV_PREFIX = "CLASSBRIDGE_"
CONFIG_FILE_ENV = ENV_PREFIX + "CONFIG_FILE"
DEFAULT_DATA_DIR = Path("data")
ICE_URL_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IceServer(_Strict):
    """One STUN or TURN server, as in the WebRTC RTCIceServer dictionary."""

    urls: list[str] = Field(min_length=1, description="stun:, stuns:, turn: or turns: URLs.")
    username: str | None = None
    credential: SecretStr | None = None

    @field_validator("urls", mode="before")
    @classmethod
    def _one_url(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("urls")
    @classmethod
    def _schemes(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(ICE_URL_SCHEMES):
                raise ValueError(f"{url!r} must start with one of {', '.join(ICE_URL_SCHEMES)}")
        return v

    @model_validator(mode="after")
    def _turn_needs_credentials(self) -> IceServer:
        if any(u.startswith("turn") for u in self.urls) and not (self.username and self.credential):
            raise ValueError("a TURN server needs both username and credential")
        return self


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


class TurnSettings(_Strict):
    """A TURN server that shares a secret with this server (the TURN REST API convention)."""

    urls: list[str] = Field(
        min_length=1,
        description="turn:/turns: URLs handed to browsers, e.g. turn:turn.school.vn:3478?transport=udp, "
        "turn:turn.school.vn:3478?transport=tcp, turns:turn.school.vn:443?transport=tcp.",
    )
    secret: SecretStr = Field(description="coturn's static-auth-secret.")
    ttl_s: int = Field(
        default=8 * 3600,
        ge=60,
        le=48 * 3600,
        description="Lifetime of a participant's credentials; a class must fit in it.",
    )

    @field_validator("urls", mode="before")
    @classmethod
    def _one_url(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("urls")
    @classmethod
    def _schemes(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("turn:", "turns:")):
                raise ValueError(f"{url!r} must start with turn: or turns:")
        return v

    @field_validator("secret")
    @classmethod
    def _secret_length(cls, v: SecretStr) -> SecretStr:
        if len(v.get_secret_value()) < 16:
            raise ValueError("use at least 16 characters")
        return v


class IceSettings(_Strict):
    """What the media relay tells aiortc about the network; never aiortc's own defaults."""

    servers: list[IceServer] = Field(
        default_factory=list,
        description="STUN/TURN servers the deployment names; none by default (never Google's).",
    )
    host_addresses: list[str] | None = Field(
        default=None,
        description="Addresses offered as ICE host candidates; unset = derived from `host`.",
    )
    public_address: str | None = Field(
        default=None,
        description="1:1 NAT: the public address to advertise instead of the private one.",
    )

    # -- media ports and TURN (docs/media-network.md) --
    udp_port_min: int | None = Field(
        default=None, ge=1024, le=65535, description="Lowest UDP port of the relay's ICE sockets."
    )
    udp_port_max: int | None = Field(
        default=None, ge=1024, le=65535, description="Highest UDP port of the relay's ICE sockets."
    )
    udp_port: int | None = Field(
        default=None,
        ge=1024,
        le=65535,
        description="Single-port mode: every participant's media on this one UDP port.",
    )
    tcp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="ICE over TCP: one TCP port for participants whose networks block UDP.",
    )
    turn: TurnSettings | None = Field(
        default=None,
        description="A TURN server (coturn use-auth-secret): each participant gets its own "
        "short-lived credentials in the join reply.",
    )

    @model_validator(mode="after")
    def _ports(self) -> IceSettings:
        if (self.udp_port_min is None) != (self.udp_port_max is None):
            raise ValueError("udp_port_min and udp_port_max: give both (a range) or neither")
        if self.udp_port_min is not None and self.udp_port_max is not None:
            if self.udp_port_min > self.udp_port_max:
                raise ValueError("udp_port_min must not be above udp_port_max")
            if self.udp_port is not None:
                raise ValueError("udp_port (one port for all) and a udp_port_min/max range: choose one")
        return self

    @field_validator("host_addresses")
    @classmethod
    def _addresses(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else [_ip(a) for a in v]

    @field_validator("public_address")
    @classmethod
    def _public(cls, v: str | None) -> str | None:
        return None if v is None else _ip(v)


class RecordingSettings(_Strict):
    """Where class recordings go and how much room they may take (docs/recording.md)."""

    enabled: bool = Field(default=True, description="Lecturers may record their classes.")
    folder: Path | None = Field(default=None, description="Where recordings go; default <data_dir>/recordings.")
    quota_gb: float | None = Field(
        default=None, gt=0, description="The most the recordings folder may hold; a recording stops when it is reached."
    )
    min_free_mb: int = Field(
        default=512, ge=0, description="A recording stops when the disk has less free space than this."
    )
    upload_max_mb: int = Field(
        default=2048, ge=1, description="The largest e-lecture file (MP4 video, PDF slides) that may be uploaded."
    )


class SignalingLimits(_Strict):
    """Per-connection limits the WebSocket signaling enforces."""

    max_message_bytes: int = Field(default=65536, ge=1024, le=1 << 20)
    rate_per_second: float = Field(default=20.0, gt=0)
    rate_burst: int = Field(default=60, ge=1)
    max_violations: int = Field(
        default=20, ge=1, description="Rate or validation violations before the server disconnects."
    )
    keepalive_timeout_s: float = Field(default=45.0, gt=0)
    max_participants_per_class: int = Field(
        default=300, ge=1, description="Trainees in a class at once (the class size); the other roles have their own limits."
    )
    floor_limit: int = Field(
        default=1, ge=1, le=20, description="Trainees who may hold the floor (be seen and heard by all) at once."
    )
    join_muted_from: int = Field(
        default=15, ge=0, description="Trainees joining a class this full join with microphone and camera off."
    )
    max_joins_in_progress: int = Field(
        default=2, ge=1, description="Joins this process carries out at once; the others wait in line."
    )
    max_join_wait_s: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="A join waiting longer for its turn is answered server_busy with a retry hint.",
    )
    max_lecturers_per_class: int = Field(
        default=5, ge=1, description="Lecturers in a class at once; they take no trainee's place."
    )
    max_rooms_per_class: int = Field(
        default=2, ge=1, description="Room links (the room's agent, a room screen) in a class at once."
    )
    max_observers_per_class: int = Field(
        default=20, ge=0, description="Observers in a class at once; they take no trainee's place."
    )


LogLevel = Literal["critical", "error", "warning", "info", "debug"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_unspecified(host: str) -> bool:
    """True for the wildcard addresses that mean 'listen on every interface'."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def interface_addresses() -> list[str]:
    """Every non-loopback, non-link-local address of this machine's interfaces."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            text = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            addr = ipaddress.ip_address(text)
            if not (addr.is_loopback or addr.is_link_local) and str(addr) not in found:
                found.append(str(addr))
    return found


def read_config_file(path: Path) -> dict[str, Any]:
    """The YAML mapping in `path`; every way it can be wrong becomes a SettingsError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SettingsError(f"cannot read config file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path} is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SettingsError(f"config file {path} is not valid YAML{where}: {e.problem}") from None
    except yaml.YAMLError as e:
        raise SettingsError(f"config file {path} is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"config file {path} must hold a mapping of settings at the top level")
    if "config_file" in data:
        raise SettingsError(f"config file {path}: config_file cannot be set inside a config file")
    return data


def _config_file_path(init_kwargs: dict[str, Any]) -> Path | None:
    given = init_kwargs.get("config_file") or os.environ.get(CONFIG_FILE_ENV)
    return Path(given) if given else None


class _ConfigFileSource(PydanticBaseSettingsSource):
    """The YAML config file, below the environment and the CLI flags."""

    def __init__(self, settings_cls: type[BaseSettings], init_kwargs: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self.path = _config_file_path(init_kwargs)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns the whole mapping

    def __call__(self) -> dict[str, Any]:
        return read_config_file(self.path) if self.path else {}


class Settings(BaseSettings):
    """Everything `classbridge serve` and the CLI need to know; see config/classbridge.example.yaml."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )

    config_file: Path | None = Field(
        default=None, description="The YAML file these settings came from."
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="Address to listen on.")
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR, description="Database, signing keys and admin token."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/classbridge.db."
    )
    public_url: str | None = Field(
        default=None,
        description="Base of join links as browsers reach it; default from host/port/TLS.",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for the REST API; default generated in data_dir."
    )
    link_ttl_hours: float = Field(
        default=168.0, gt=0, le=24 * 366, description="Join link lifetime."
    )
    tls_cert: Path | None = Field(
        default=None, description="PEM certificate (chain) to serve HTTPS."
    )
    tls_key: Path | None = Field(default=None, description="PEM private key of tls_cert.")
    log_level: LogLevel = "info"
    rooms_file: Path | None = Field(
        default=None,
        description="Rooms file (devices, positions, scenes, schedule); unset = the example room.",
    )
    rooms_simulated: bool | None = Field(
        default=None,
        description="Drive simulators on loopback instead of the devices; default: only when "
        "rooms_file is unset (so a first start shows a working room).",
    )
    technician_link_ttl_hours: float = Field(
        default=24 * 30, gt=0, le=24 * 366, description="Technician link lifetime."
    )
    course_link_ttl_hours: float = Field(
        default=24 * 180,
        gt=0,
        le=24 * 366 * 2,
        description="Lifetime of a personal course link (a course lasts weeks to months).",
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Media worker processes: 1 serves everything in one process; N > 1 runs one "
        "process per core and spreads classes over them (one Python process uses one core).",
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="If set, /metrics wants it as a bearer token."
    )
    ice: IceSettings = Field(default_factory=IceSettings)
    signaling: SignalingLimits = Field(default_factory=SignalingLimits)
    database_upgrade: Literal["auto", "manual"] = Field(
        default="auto",
        description="auto: start-up brings the database schema up to date (a SQLite file is "
        "copied first); manual: start-up refuses while `classbridge db upgrade` is pending.",
    )
    api_docs: Literal["public", "off"] = Field(
        default="public",
        description="public: /docs (Swagger UI, served locally) and /openapi.json for anyone "
        "who reaches the server; off: neither exists. /metrics is protected by metrics_token.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text for a terminal; json: one object per line with request_id and "
        "class_id, for a log collector (journald, Loki, Elasticsearch).",
    )
    attendance: AttendanceSettings = Field(default_factory=AttendanceSettings)
    # Attendance reports (classroom/reports): the school's time zone, its signing certificate.
    time_zone: str = Field(
        default="Asia/Ho_Chi_Minh",
        description="The school's time zone: report times (a course may set its own).",
    )
    report_certificate: Path | None = Field(
        default=None,
        description="PKCS#12 file (.p12/.pfx) that signs PDF reports; unset: reports unsigned.",
    )
    report_certificate_password: SecretStr | None = Field(
        default=None, description="Password of report_certificate."
    )
    report_trust_roots: list[Path] = Field(
        default_factory=list,
        description="More CA certificates (PEM or DER) that `report verify` trusts.",
    )
    report_font: Path | None = Field(
        default=None, description="TrueType font of PDF reports [DejaVu Sans, else Noto Sans]."
    )
    recording: RecordingSettings = Field(default_factory=RecordingSettings)
    shard_class_above: int | None = Field(
        default=50,
        ge=0,
        le=100_000,
        description="With workers > 1: a class whose track has this many subscribers places "
        "further subscribers on the other media workers too (one class across cores); up to "
        "it a class stays in one process. Unset: a class never leaves its worker.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        init_kwargs = getattr(init_settings, "init_kwargs", {})
        return init_settings, env_settings, _ConfigFileSource(settings_cls, init_kwargs)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Settings from every source; `overrides` that are None count as not given (CLI flags)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            return cls(**given)
        except ValidationError as e:
            raise SettingsError(_describe(e, given)) from None
        except LibrarySettingsError as e:
            raise SettingsError(_describe_env_parse_error(e)) from None

    @field_validator("admin_token")
    @classmethod
    def _token_length(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < 16:
            raise ValueError("use at least 16 characters")
        return v

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a time zone name such as Asia/Ho_Chi_Minh") from None
        return v

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                make_url(v)
            except ArgumentError:
                raise ValueError(
                    "not a SQLAlchemy database URL (e.g. postgresql+psycopg://...)"
                ) from None
        return v

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v.startswith(("http://", "https://")) or "?" in v or "#" in v:
            raise ValueError("use an http:// or https:// URL without query or fragment")
        return v.rstrip("/")

    @field_validator("tls_cert", "tls_key", "rooms_file")
    @classmethod
    def _readable(cls, v: Path | None) -> Path | None:
        if v is not None and not (v.is_file() and os.access(v, os.R_OK)):
            raise ValueError(f"{v} does not exist or is not a readable file")
        return v

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().absolute()
        if self.recording.folder is None:
            self.recording.folder = self.data_dir / "recordings"
        self.recording.folder = self.recording.folder.expanduser().absolute()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'classbridge.db'}"
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("tls_cert and tls_key: give both to serve HTTPS, or neither")
        if self.public_url is None:
            self.public_url = self._derived_public_url()
        if self.rooms_simulated is None:
            self.rooms_simulated = self.rooms_file is None
        return self

    @model_validator(mode="after")
    def _a_port_per_worker(self) -> Settings:
        """Single-port mode and ICE-TCP with several workers: worker i takes the port + i."""
        last = self.workers - 1
        if self.ice.udp_port is not None and self.ice.udp_port + last > 65535:
            raise ValueError(
                f"ice.udp_port {self.ice.udp_port} with {self.workers} workers needs ports up to "
                f"{self.ice.udp_port + last} (worker i uses udp_port + i): choose a lower port"
            )
        if self.ice.tcp_port is not None:
            if self.ice.tcp_port + last > 65535:
                raise ValueError(
                    f"ice.tcp_port {self.ice.tcp_port} with {self.workers} workers needs ports up to "
                    f"{self.ice.tcp_port + last} (worker i uses tcp_port + i): choose a lower port"
                )
            if self.ice.tcp_port <= self.port <= self.ice.tcp_port + last:
                if self.workers == 1:
                    raise ValueError("ice.tcp_port must differ from port (the HTTP port)")
                raise ValueError(f"ice.tcp_port to tcp_port + {last} (one per worker) must not include port (the HTTP port)")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    def _derived_public_url(self) -> str:
        host = self.host
        if is_unspecified(host):
            host = next(iter(interface_addresses()), "127.0.0.1")
        return _url(self.scheme, host, self.port)

    def local_url(self) -> str:
        """Where a process on this machine reaches the server (the CLI talks to it here)."""
        host = self.host
        if is_unspecified(host):
            host = "::1" if ":" in host else "127.0.0.1"
        return _url(self.scheme, host, self.port)

    def ice_host_addresses(self) -> list[str]:
        """The addresses offered as ICE host candidates: configured, else derived from `host`."""
        if self.ice.host_addresses is not None:
            return list(self.ice.host_addresses)
        if is_loopback(self.host):
            return ["127.0.0.1"]
        return interface_addresses()


def _url(scheme: str, host: str, port: int) -> str:
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + ("" if port == default_port else f":{port}")


def _describe(error: ValidationError, given: dict[str, Any]) -> str:
    """One line per problem: the dotted field, pydantic's message, and where the value came from."""
    config_path = _config_file_path(given)
    file_data: dict[str, Any] = {}
    if config_path is not None:
        file_data = read_config_file(config_path)
    lines = []
    for item in error.errors():
        loc = tuple(item["loc"])
        field = ".".join(str(p) for p in loc) or "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{field}: {message} ({_origin(loc, given, file_data, config_path)})")
    return "invalid settings:\n  " + "\n  ".join(lines)


def _describe_env_parse_error(error: LibrarySettingsError) -> str:
    """pydantic-settings could not parse a JSON value in the environment; name the variables."""
    match = re.search(r'field "(\w+)"', str(error))
    prefix = ENV_PREFIX + (match.group(1).upper() if match else "")
    names = sorted(k for k in os.environ if k.upper().startswith(prefix))
    return f"invalid settings: {', '.join(names) or prefix + '*'}: not valid JSON ({error})"


def _origin(
    loc: tuple[Any, ...], given: dict[str, Any], file_data: dict[str, Any], path: Path | None
) -> str:
    if not loc:
        return "from the combination of settings"
    if loc[0] in given:
        return "from the command line"
    names = [str(p) for p in loc if isinstance(p, str)]
    env = {k.upper(): k for k in os.environ}
    for n in range(len(names), 0, -1):
        name = ENV_PREFIX + "__".join(names[:n]).upper()
        if name in env:
            return f"from environment variable {env[name]}"
    node: Any = file_data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and part < len(node)):
            node = node[part]
        else:
            return "default"
    return f"from config file {path}"
