from django.contrib.staticfiles import finders

# Shipped inside installed apps, never served by this site:
# - `node_modules` trees: viewflow ships the npm packages its CSS and fonts were
#   built from, and one of their stylesheets points at font files that are not
#   in the wheel, so the manifest storage refused the whole collectstatic (and
#   without a manifest every page using {% static %} answered 500). viewflow's
#   templates use only the built copies one level up.
# - viewflow's Plotly Dash bundles (60 MB), used only by viewflow.contrib.plotly,
#   which needs the `dash` package this project does not install; compressing
#   them was half of collectstatic's time.
SKIPPED = ["node_modules", "viewflow/js/contrib/dash/*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's app finder, minus what collectstatic should not collect (SKIPPED).

    Skipping files is narrower than relaxing the manifest storage: every file
    that is served still has each of its references checked, ours included.
    """

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *SKIPPED])
