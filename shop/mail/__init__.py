from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Deliver mail queued by a request once that request has committed (see services)."""

    @app.after_request
    def _deliver_queued_mail(response: Response) -> Response:
        from shop.mail.services import deliver_queued_now

        deliver_queued_now()
        return response
