"""An independent second judge: the contract suite run through Stoplight Prism, a validating proxy.

`nox -s second_judge` (or `python -m second_judge`) puts Prism in front of the reference server and then in
front of a variant with a schema fault; Prism must find nothing wrong with the first and catch the second.
"""

from .prism import VERSION, PrismUnavailableError, install, proxy
from .run import Judgement, judge
from .verdicts import PrismLog, Violation

__all__ = ["VERSION", "Judgement", "PrismLog", "PrismUnavailableError", "Violation", "install", "judge", "proxy"]
