def risky(n):
    if n == 0:
        raise ValueError('zero')
    return 10 // n
for v in [2, 0, 'a']:
    try:
        print(risky(v))
    except ValueError as e:
        print('ValueError', e)
    except TypeError as e:
        print('TypeError', type(e).__name__)
    else:
        print('no error')
    finally:
        print('finally', v)
try:
    [][1]
except IndexError as e:
    print('IndexError', e)
try:
    {}['k']
except KeyError as e:
    print('KeyError', repr(e), e.args)
try:
    undefined_name
except NameError:
    print('NameError')
try:
    1 / 0
except ZeroDivisionError as e:
    print(e)
try:
    int('x')
except ValueError as e:
    print(e)
class MyError(Exception):
    def __init__(self, code):
        super().__init__('code %d' % code)
        self.code = code
try:
    raise MyError(7)
except Exception as e:
    print(type(e).__name__, e.code, e.args, e)
def f():
    try:
        return 'try'
    finally:
        print('cleanup')
print(f())
def g():
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
        finally:
            print('fin', i)
    return i
print(g())
try:
    try:
        raise KeyError('inner')
    except KeyError:
        raise RuntimeError('outer')
except RuntimeError as e:
    print('caught', e)
try:
    assert 1 == 2, 'math is broken'
except AssertionError as e:
    print('assert', e)
print(isinstance(ValueError(), Exception), issubclass(KeyError, LookupError))
