def foo():
    try:
        1 / 0
    except ZeroDivisionError:
        import sys
        exc_type, exc_value, exc_tb = sys.exc_info()
        print(exc_tb.tb_frame.f_back.f_code.co_name)
foo()
