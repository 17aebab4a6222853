"""Project-wide middleware."""


class IndonesianUnlessChosenMiddleware:
    """Serve Bahasa Indonesia unless the visitor picked English with the switch.

    Many Indonesian phones run in English; Django's LocaleMiddleware would follow the
    browser's Accept-Language and show them English. The portal's default is
    Indonesian, so the header is ignored and only the language cookie (set by the
    switch) or an explicit ``/i18n/setlang/`` choice changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
