"""rubric"""
