import inspect
def e(): f()
def f(): g()
def g(): h()
def h():
    frame = inspect.currentframe()
    func_names = []
    while frame is not None:
        func_names.append(frame.f_code.co_name)
        frame = frame.f_back
    print(f"Function call chain: {' -> '.join(func_names[::-1])}")
f()
