"""Write the OpenAPI document of the v1 API to a file (or stdout)."""
import sys

from smaug.api import openapi


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    document = openapi.render()
    if argv:
        with open(argv[0], 'w') as out:
            out.write(document)
    else:
        sys.stdout.write(document)


if __name__ == '__main__':
    main()
