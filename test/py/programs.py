# Small programs mixing features, the way user scripts do
class Stack:
    def __init__(self):
        self.items = []
    def push(self, x):
        self.items.append(x)
    def pop(self):
        return self.items.pop()
    def __len__(self):
        return len(self.items)
    def __bool__(self):
        return bool(self.items)

def rpn(expr):
    st = Stack()
    ops = {'+': lambda a, b: a + b, '-': lambda a, b: a - b, '*': lambda a, b: a * b, '/': lambda a, b: a // b}
    for tok in expr.split():
        if tok in ops:
            b, a = st.pop(), st.pop()
            st.push(ops[tok](a, b))
        else:
            st.push(int(tok))
    return st.pop()
print(rpn('3 4 + 2 *'), rpn('100 7 / 3 -'))

def primes(n):
    sieve = [True] * (n + 1)
    sieve[0] = sieve[1] = False
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            for j in range(i * i, n + 1, i):
                sieve[j] = False
    return [i for i, p in enumerate(sieve) if p]
print(primes(60))

words = 'the quick brown fox jumps over the lazy dog the end'.split()
freq = {}
for w in words:
    freq[w] = freq.get(w, 0) + 1
print(sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:3])

def matmul(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]
print(matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]))

def bits(n):
    out = ''
    while n:
        out = str(n & 1) + out
        n >>= 1
    return out or '0'
print([bits(i) for i in (0, 5, 255)], int(bits(1000), 2))

class Shape:
    def area(self):
        raise NotImplementedError
    def __repr__(self):
        return '%s(area=%.2f)' % (type(self).__name__, self.area())
class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h
class Circle(Shape):
    def __init__(self, r):
        self.r = r
    def area(self):
        return 3.14159 * self.r ** 2
shapes = [Rect(2, 3), Circle(1), Rect(1, 1)]
print(sorted(shapes, key=lambda s: s.area()), sum(s.area() for s in shapes))
try:
    Shape().area()
except NotImplementedError:
    print('abstract')

def memo(f):
    cache = {}
    def wrapped(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]
    return wrapped
@memo
def slow_fib(n):
    return n if n < 2 else slow_fib(n - 1) + slow_fib(n - 2)
print(slow_fib(80))

grid = [[(r * 3 + c) % 4 for c in range(4)] for r in range(3)]
print(grid, [max(row) for row in grid], list(map(list, zip(*grid)))[0])
s = 'Hello World'
print(''.join(c.upper() if i % 2 else c.lower() for i, c in enumerate(s)), s.count('o'), s[::-1].split())
data = [('b', 2), ('a', 2), ('c', 1)]
data.sort(key=lambda t: t[1])
print(data, dict(data), {v: k for k, v in data})
n = 0
while n < 100:
    n = n * 2 + 1
print(n, divmod(n, 7), n.bit_length(), hex(n), 2 ** 31 - 1, -(2 ** 31))
x = 5
def scope_test():
    x = 10
    def inner():
        return x * 2
    return inner()
print(scope_test(), x)
with_result = []
class Ctx:
    def __enter__(self):
        with_result.append('enter')
        return self
    def __exit__(self, t, v, tb):
        with_result.append('exit %s' % (t.__name__ if t else None))
        return True
with Ctx() as c:
    with_result.append('body')
with Ctx():
    raise ValueError('swallowed')
print(with_result)
