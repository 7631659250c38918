"""How schemathesis writes the bodies of media types it has no serializer for: a generated
string as its UTF-8 bytes, anything else (null, numbers) as no bytes at all (NDJSON and CSV
import files are text)."""
import schemathesis


@schemathesis.serializer("application/x-ndjson", "text/csv")
def text_body(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return b""
