from django.template.response import TemplateResponse


class HumanMethodNotAllowedMiddleware:
    """Give a 405 from @require_POST and friends a page people can read (Django sends it empty)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            page = TemplateResponse(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page.render()
        return response
