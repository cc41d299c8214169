"""Uploaded images (photos, signatures) are served as files, never as HTML."""

from django.http import FileResponse, Http404


def file_response(field):
    """The stored image, private to the one who may see its record (the caller checked)."""
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"), content_type="image/png" if field.name.endswith(".png") else "image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
