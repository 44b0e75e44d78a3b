"""Chinese first (中文优先): the language a page speaks."""

import contextlib

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Simplified Chinese unless the user picked English with the switch in the
    header (which sets the language cookie). A browser's Accept-Language is not asked: an
    office PC or a phone set up in English must not turn a township worker's pages English.
    API clients, which have no switch, may ask with Accept-Language."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if chosen:
                with contextlib.suppress(LookupError):
                    language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
