def generate(*, leads, accounts, opportunities, seed, stdout=None):
    return {}
