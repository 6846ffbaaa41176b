print("NNGBench: not written yet")
