"""`eks-doctor serve`: the Slack bot, in HTTP mode (behind uvicorn) or Socket Mode."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.context import cli_context
from bot.cli.output import err_console
from bot.errors import InputError

#: EKS serves pod metrics on 9100 inside every pod: the bot must never listen there.
EKS_METRICS_PORT = 9100


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (SLACK_APP_TOKEN): no public endpoint.")
    ] = False,
    http: Annotated[bool, typer.Option("--http", help="HTTP mode: POST /slack/events (the default).")] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="HTTP port.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="HTTP address to listen on.")] = "0.0.0.0",
) -> None:
    """Run the Slack bot until interrupted."""
    if socket and http:
        raise InputError("give either --socket or --http, not both")
    if port == EKS_METRICS_PORT:
        raise InputError("port 9100 is taken by EKS itself in every pod (pod metrics); choose another, e.g. 3000")
    from bot.observability import logs
    from bot.slack.app import HTTP, SOCKET, create_app
    from bot.slack.server import HttpServer, http_app, socket_mode

    doctor = cli_context().doctor
    logs.configure(doctor.settings.log_level)
    mode = SOCKET if socket else HTTP
    bolt, ctx = create_app(doctor, mode=mode)
    doctor.warm_up()
    if mode == SOCKET:
        err_console.print("EKS Doctor: connecting to Slack in Socket Mode")
        socket_mode(bolt, doctor.settings.slack_app_token.get_secret_value()).start()
        return
    server = HttpServer(http_app(bolt), host=host, port=port)
    routes = "POST /slack/events, GET /healthz, GET /metrics"
    err_console.print(f"EKS Doctor: listening on http://{host}:{server.port} ({routes})")
    try:
        server.run()
    finally:
        ctx.jobs.shutdown(wait=False)
