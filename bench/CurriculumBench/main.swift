print("CurriculumBench: not written yet")
