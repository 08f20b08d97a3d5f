from srs_common.cli import main
from srs_projects import MIGRATIONS_DIR as MIGRATIONS
from srs_projects.app import spec
from srs_projects.settings import ProjectsSettings

if __name__ == "__main__":
    main(spec, ProjectsSettings, MIGRATIONS)
