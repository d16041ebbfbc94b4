"""What an ownership change refuses, said once for the API (a 400 or 409 naming the field), the pages and
the commands."""
from ..auth.manage import Refused as _Refused


class Refused(_Refused):
    """`message` is for a person; `field` is the API field it is about; `status` the API's answer."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.status = field, status
