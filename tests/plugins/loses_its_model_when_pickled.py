"""A captioner whose own pickling drops the model: a copy in another process would use another one."""

from desktop_app.plugin_api import hookimpl
from tests.plugins.fake_captioners import FixedCaptioner


class ForgetfulCaptioner(FixedCaptioner):
    id = "forgetful"

    def __reduce__(self):
        return type(self), ()


@hookimpl
def register_captioners(register):
    register(ForgetfulCaptioner(model="test/a-fine-tuned-copy"))
