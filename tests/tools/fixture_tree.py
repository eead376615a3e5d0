"""fixture_tree.py - what a fixture's make_tree.py writes a SYNTHETIC root/
with (imported by tests/fixtures/*/make_tree.py): files and symlinks under
one root, parents made as needed."""
import os


class Tree:
    def __init__(self, root):
        self.root = root

    def w(self, rel, text, mode="w"):
        """rel under the root holds text (bytes with mode "wb")."""
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, mode) as f:
            f.write(text)

    def link(self, rel, target):
        """rel under the root is a symlink to target (replaced if there)."""
        p = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if os.path.lexists(p):
            os.unlink(p)
        os.symlink(target, p)
