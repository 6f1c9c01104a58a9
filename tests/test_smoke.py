def test_packages_import() -> None:
    import bot
    import flows
    import reports
    import rubric
    import storage

    assert all(m.__doc__ for m in (bot, flows, reports, rubric, storage))
