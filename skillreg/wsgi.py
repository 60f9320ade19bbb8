import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillreg.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the apps, the policy packs) lives as long as the process:
# moved out of the collector's generations, it is not walked again at every full collection,
# which was the 150 ms pauses in the pages' p95 (bench/README.md, figure 5).
gc.freeze()
