unit-tests:
