"""``python -m photoimport ...``: the same command line as the ``photoimport`` script."""

from photoimport.cli import main

if __name__ == "__main__":
    main(prog_name="photoimport")
