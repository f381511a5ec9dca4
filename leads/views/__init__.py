"""The leads app's pages (STYLE: views), one module per page family."""
