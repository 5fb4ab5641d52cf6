DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @p1, @LockMode = N'Exclusive',
    @LockOwner = N'Session', @LockTimeout = @p2;
SELECT @result;
