def add(a, b=10, *args, **kw):
    return a + b + sum(args) + sum(kw.values())
print(add(1), add(1, 2), add(1, 2, 3, 4), add(1, b=5), add(1, 2, x=100))
def kwonly(a, *, key=3):
    return a * key
print(kwonly(2), kwonly(2, key=5))
args = [1, 2, 3]
print(add(*args), add(*[1], **{'b': 7}))
square = lambda x: x * x
print(square(7), (lambda: 42)(), list(map(lambda v: v + 1, [1, 2])))
def counter():
    count = 0
    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc
c = counter()
c()
c(5)
print(c())
def outer():
    x = 'outer'
    def middle():
        def inner():
            return x
        return inner()
    return middle()
print(outer())
total = 0
def add_global(n):
    global total
    total += n
add_global(5)
add_global(7)
print(total)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print([fib(i) for i in range(15)])
def make_adders():
    return [lambda y, k=k: y + k for k in range(3)]
print([f(10) for f in make_adders()])
def deco(fn):
    def wrapper(*a):
        return 'wrapped(' + str(fn(*a)) + ')'
    return wrapper
@deco
def hello(name):
    return 'hi ' + name
print(hello('vm'))
i = 0
while True:
    i += 1
    if i % 2:
        continue
    if i > 8:
        break
else:
    print('not reached')
print(i)
for x in []:
    pass
else:
    print('for-else ran')
print(x if (x := 5) > 3 else 0)
