import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillreg.settings")
django_application = get_wsgi_application()

# The public certificate verification answered in front of Django's handler (issue 8, figure 1);
# SKILLREG_VERIFY_FASTPATH=0 serves it through Django like every other request.
from skillreg.certificates.fastpath import wrap  # noqa: E402  (needs the apps loaded)

application = wrap(django_application)
# Everything loaded so far (Django, the apps, the policy packs) lives as long as the process:
# moved out of the collector's generations, it is not walked again at every full collection,
# which was the 150 ms pauses in the pages' p95 (bench/README.md, figure 5).
gc.freeze()
