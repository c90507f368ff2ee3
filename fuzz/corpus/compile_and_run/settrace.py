import sys
def t(frame, event, arg):
    print(event, frame.f_lineno)
    return t
sys.settrace(t)
def g():
    return 1
g()
sys.settrace(None)
